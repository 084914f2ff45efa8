package bench

import (
	"bufio"
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/zoom-presence/zoom-presence/internal/desktoptest"
	"github.com/zoom-presence/zoom-presence/zoom/zoomsim"
)

const (
	// startRuns is how many times each program starts for the start-up
	// time. The table shows the median.
	startRuns = 15

	// settle is how long a program runs after its icon registers before
	// its memory is read and its idle minute starts.
	settle = 3 * time.Second

	// idle is how long the CPU time and the wake-ups are counted.
	idle = time.Minute

	// clockTicks is USER_HZ, the unit of the CPU times in
	// /proc/PID/stat. It is 100 on every Linux architecture Go supports.
	clockTicks = 100
)

// program is one binary under test and how to start it.
type program struct {
	name   string
	binary string
	args   []string
	// signIn clicks through the sign-in after the icon registers.
	signIn bool
}

// result is what one program measured.
type result struct {
	start   time.Duration // median time from exec to tray registration
	rss     int64         // resident memory after settling, in bytes
	anon    int64         // the anonymous part of rss, in bytes
	cpu     time.Duration // user and system CPU time over the idle minute
	wakeups int64         // voluntary context switches of all threads over the idle minute
	size    int64         // stripped binary size in bytes
}

// BenchmarkTray measures zoom-presence and the bare program on private
// session buses with the stand-in tray host, and prints a Markdown table
// of the figures and their ratios. Run it once: go test -run '^$' -bench
// Tray -benchtime 1x ./build/bench.
func BenchmarkTray(b *testing.B) {
	desktoptest.Require(b, "dbus-daemon")

	bare := buildStripped(b, "./bare", "bare")
	app := buildStripped(b, "github.com/zoom-presence/zoom-presence", "zoom-presence")
	opener := desktoptest.InstallOpener(b)

	// A simulator in this process serves the app as Zoom would: from
	// another process, so that the app's figures leave it out.
	sim := zoomsim.New(zoomsim.Options{ClientID: "bench"})
	if err := sim.Start("127.0.0.1:0"); err != nil {
		b.Fatalf("start the Zoom simulator: %v", err)
	}
	b.Cleanup(func() { _ = sim.Close() })

	programs := []program{
		{name: "bare fyne.io/systray", binary: bare},
		{name: "zoom-presence, signed out", binary: app, args: []string{"-sandbox"}},
		{name: "zoom-presence, signed in", binary: app, args: []string{"-sandbox"}, signIn: true},
		// The redirect port differs from the default of the row above,
		// because the two sign in side by side.
		{name: "zoom-presence, signed in, simulator in another process", binary: app, signIn: true, args: []string{
			"-client-id", "bench", "-api-url", sim.APIURL(), "-oauth-url", sim.OAuthURL(), "-redirect-url", "http://127.0.0.1:47614/callback",
		}},
		// Without the simulator, as a user starts the app. Signed out,
		// it sends nothing, and the URLs point at a closed loopback
		// port in case it did.
		{name: "zoom-presence, signed out, no simulator", binary: app, args: []string{
			"-client-id", "bench", "-api-url", "http://127.0.0.1:9/v2", "-oauth-url", "http://127.0.0.1:9",
		}},
	}

	for b.Loop() {
		results := make([]result, len(programs))
		for i, start := range medianStarts(b, programs) {
			results[i].start = start
			results[i].size = fileSize(b, programs[i].binary)
		}

		// The idle minutes run side by side, each program on its own
		// bus, so that one run takes one minute.
		var wg sync.WaitGroup
		for i, p := range programs {
			wg.Go(func() {
				r := idleRun(b, p, opener)
				results[i].rss, results[i].anon, results[i].cpu, results[i].wakeups = r.rss, r.anon, r.cpu, r.wakeups
			})
		}
		wg.Wait()

		printTable(programs, results)
		base := results[0]
		for i, r := range results[1:] {
			suffix := []string{"-signed-out", "-signed-in", "-signed-in-external-simulator", "-no-simulator"}[i]
			b.ReportMetric(ratio(r.start, base.start), "start-ratio"+suffix)
			b.ReportMetric(ratio(r.rss, base.rss), "rss-ratio"+suffix)
			b.ReportMetric(float64(r.wakeups), "wakeups/min"+suffix)
		}
		b.ReportMetric(float64(base.wakeups), "wakeups/min-bare")
	}
}

func buildStripped(b *testing.B, pkg, name string) string {
	b.Helper()

	out := filepath.Join(b.TempDir(), name)
	cmd := exec.Command("go", "build", "-trimpath", "-ldflags=-s -w", "-o", out, pkg)
	cmd.Env = append(os.Environ(), "CGO_ENABLED=0")
	if output, err := cmd.CombinedOutput(); err != nil {
		b.Fatalf("go build %s: %v\n%s", pkg, err, output)
	}
	return out
}

func fileSize(b *testing.B, path string) int64 {
	b.Helper()

	info, err := os.Stat(path)
	if err != nil {
		b.Fatal(err)
	}
	return info.Size()
}

// env returns the environment of a program on bus, with its own empty
// XDG folders, so that runs share no lock file, log or configuration.
func env(b *testing.B, bus *desktoptest.Bus, extra ...string) []string {
	e := append(os.Environ(), bus.Env()...)
	e = append(e,
		"XDG_RUNTIME_DIR="+b.TempDir(),
		"XDG_CACHE_HOME="+b.TempDir(),
		"XDG_CONFIG_HOME="+b.TempDir(),
		"ZOOM_CLIENT_ID=", "ZOOM_CLIENT_SECRET=",
	)
	return append(e, extra...)
}

// medianStarts starts each program startRuns times, taking turns so that
// a slow spell of the machine hits every program alike, and returns the
// median time of each from starting the process to its item's
// registration with the tray host. Each program has a bus of its own.
func medianStarts(b *testing.B, programs []program) []time.Duration {
	b.Helper()

	ctx, cancel := context.WithTimeout(b.Context(), 5*time.Minute)
	defer cancel()

	buses := make([]*desktoptest.Bus, len(programs))
	watchers := make([]*desktoptest.Watcher, len(programs))
	for i := range programs {
		buses[i] = desktoptest.StartBus(b)
		watchers[i] = desktoptest.StartWatcher(b, buses[i])
	}

	times := make([][]time.Duration, len(programs))
	for range startRuns {
		for i, p := range programs {
			cmd := exec.Command(p.binary, p.args...)
			cmd.Env = env(b, buses[i])
			started := time.Now()
			process := desktoptest.StartProcess(b, cmd)
			if _, err := watchers[i].WaitForItem(ctx); err != nil {
				b.Fatalf("%s: tray item never registered: %v\n%s", p.name, err, process.Output())
			}
			times[i] = append(times[i], time.Since(started))

			if err := process.Stop(); err != nil {
				b.Fatalf("%s: stop: %v", p.name, err)
			}
			if err := watchers[i].WaitForNoItems(ctx); err != nil {
				b.Fatalf("%s: %v", p.name, err)
			}
		}
	}

	medians := make([]time.Duration, len(programs))
	for i := range programs {
		slices.Sort(times[i])
		medians[i] = times[i][len(times[i])/2]
	}
	return medians
}

// idleRun starts p on a bus of its own, signs in if p says so, lets it
// settle, and measures its resident memory and then its CPU time and
// wake-ups over the idle minute.
func idleRun(b *testing.B, p program, opener string) (r result) {
	bus := desktoptest.StartBus(b)
	watcher := desktoptest.StartWatcher(b, bus)
	ctx, cancel := context.WithTimeout(b.Context(), 3*time.Minute)
	defer cancel()

	cmd := exec.Command(p.binary, p.args...)
	cmd.Env = env(b, bus, "PATH="+opener+":"+os.Getenv("PATH"))
	process := desktoptest.StartProcess(b, cmd)
	item, err := watcher.WaitForItem(ctx)
	if err != nil {
		b.Errorf("%s: tray item never registered: %v\n%s", p.name, err, process.Output())
		return
	}
	if p.signIn {
		if _, err := item.ClickLabel(ctx, "Sign in to Zoom…"); err != nil {
			b.Errorf("%s: click Sign in: %v", p.name, err)
			return
		}
		if err := process.WaitForOutput(ctx, "Zoom status"); err != nil {
			b.Errorf("%s: sign-in: %v", p.name, err)
			return
		}
	}

	time.Sleep(settle)
	pid := process.PID()
	r.rss = statusBytes(b, pid, "VmRSS:")
	r.anon = statusBytes(b, pid, "RssAnon:")
	cpuBefore, wakeBefore := cpuTime(b, pid), voluntarySwitches(b, pid)
	time.Sleep(idle)
	r.cpu = cpuTime(b, pid) - cpuBefore
	r.wakeups = voluntarySwitches(b, pid) - wakeBefore
	return r
}

// statusBytes returns the size in the line of /proc/PID/status that
// starts with key, such as "VmRSS:".
func statusBytes(b *testing.B, pid int, key string) int64 {
	for _, line := range statusLines(b, fmt.Sprintf("/proc/%d/status", pid)) {
		if kb, ok := strings.CutPrefix(line, key); ok {
			n, err := strconv.ParseInt(strings.TrimSpace(strings.TrimSuffix(strings.TrimSpace(kb), "kB")), 10, 64)
			if err != nil {
				b.Errorf("parse VmRSS %q: %v", line, err)
			}
			return n * 1024
		}
	}
	b.Errorf("no %s in the status of pid %d", key, pid)
	return 0
}

// voluntarySwitches sums voluntary_ctxt_switches over every thread of
// pid. A thread switches voluntarily each time it blocks and is woken, so
// the count over an idle period is the number of wake-ups.
func voluntarySwitches(b *testing.B, pid int) int64 {
	tasks, err := filepath.Glob(fmt.Sprintf("/proc/%d/task/*/status", pid))
	if err != nil || len(tasks) == 0 {
		b.Errorf("list the threads of pid %d: %v", pid, err)
		return 0
	}
	var total int64
	for _, task := range tasks {
		for _, line := range statusLines(b, task) {
			if value, ok := strings.CutPrefix(line, "voluntary_ctxt_switches:"); ok {
				n, err := strconv.ParseInt(strings.TrimSpace(value), 10, 64)
				if err != nil {
					b.Errorf("parse %q: %v", line, err)
				}
				total += n
			}
		}
	}
	return total
}

// cpuTime returns the user and system CPU time of pid, all threads.
func cpuTime(b *testing.B, pid int) time.Duration {
	data, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid))
	if err != nil {
		b.Errorf("read stat of pid %d: %v", pid, err)
		return 0
	}
	// The command name in brackets may contain spaces, so the fields
	// are counted from after it: utime and stime are fields 14 and 15.
	text := string(data)
	fields := strings.Fields(text[strings.LastIndexByte(text, ')')+1:])
	utime, err1 := strconv.ParseInt(fields[11], 10, 64)
	stime, err2 := strconv.ParseInt(fields[12], 10, 64)
	if err1 != nil || err2 != nil {
		b.Errorf("parse stat of pid %d: %v %v", pid, err1, err2)
	}
	return time.Duration(utime+stime) * time.Second / clockTicks
}

func statusLines(b *testing.B, path string) []string {
	file, err := os.Open(path)
	if err != nil {
		b.Errorf("read %s: %v", path, err)
		return nil
	}
	defer file.Close()

	var lines []string
	scanner := bufio.NewScanner(file)
	for scanner.Scan() {
		lines = append(lines, scanner.Text())
	}
	return lines
}

func ratio[T int64 | time.Duration](value, base T) float64 {
	if base == 0 {
		return 0
	}
	return float64(value) / float64(base)
}

func printTable(programs []program, results []result) {
	base := results[0]
	fmt.Println()
	fmt.Println("| program | start to tray registration | resident memory | of which anonymous | CPU time, idle minute | wake-ups, idle minute | stripped binary |")
	fmt.Println("|---|---|---|---|---|---|---|")
	for i, r := range results {
		fmt.Printf("| %s | %.1f ms (%.2fx) | %.1f MB (%.2fx) | %.1f MB (%.2fx) | %d ms | %d (bare: %d) | %.1f MB (%.2fx) |\n",
			programs[i].name,
			float64(r.start.Microseconds())/1000, ratio(r.start, base.start),
			float64(r.rss)/1e6, ratio(r.rss, base.rss),
			float64(r.anon)/1e6, ratio(r.anon, base.anon),
			r.cpu.Milliseconds(),
			r.wakeups, base.wakeups,
			float64(r.size)/1e6, ratio(r.size, base.size),
		)
	}
	fmt.Println()
}
