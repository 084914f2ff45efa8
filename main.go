// Command zoom-presence sets your Zoom presence status from the system
// tray or the macOS menu bar.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"os"
	"os/signal"
	"path/filepath"
	"syscall"
	"time"

	"github.com/pkg/browser"

	"github.com/zoom-presence/zoom-presence/auth"
	"github.com/zoom-presence/zoom-presence/tray"
	"github.com/zoom-presence/zoom-presence/zoom"
	"github.com/zoom-presence/zoom-presence/zoom/zoomsim"
)

// version is set at build time with -ldflags "-X main.version=…".
var version = "dev"

// clientID may be set at build time with -ldflags "-X main.clientID=…",
// so that an organisation can ship a build with its Zoom app's client ID.
var clientID = ""

const (
	defaultRedirectURL = "http://127.0.0.1:47613/callback"
	keyringService     = "zoom-presence"
	keyringTimeout     = 5 * time.Second
	sandboxClientID    = "zoom-presence-sandbox"
)

type config struct {
	clientID     string
	clientSecret string
	redirectURL  string
	apiURL       string
	oauthURL     string
	debounce     time.Duration
	logLevel     slog.Level
	sandbox      bool
	version      bool
}

func main() {
	os.Exit(run(os.Args[1:]))
}

func run(args []string) int {
	cfg, err := parseFlags(args)
	if errors.Is(err, flag.ErrHelp) {
		return 0
	}
	if err != nil {
		fmt.Fprintln(os.Stderr, "zoom-presence:", err)
		return 2
	}
	if cfg.version {
		fmt.Println("zoom-presence", version)
		return 0
	}

	log, closeLog := newLogger(cfg.logLevel)
	defer closeLog()
	slog.SetDefault(log)

	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()

	instance, err := tray.LockInstance()
	switch {
	case errors.Is(err, tray.ErrAlreadyRunning):
		fmt.Fprintln(os.Stderr, "zoom-presence is already running: use its icon in the system tray or menu bar")
		tray.TellAlreadyRunning(log, 2*time.Second)
		return 0
	case err != nil:
		log.Warn("instance lock not taken; a second instance would not be stopped", "error", err)
	default:
		defer instance.Unlock()
	}
	if err := tray.CheckTrayHost(ctx, log); errors.Is(err, tray.ErrNoSessionBus) {
		fmt.Fprintf(os.Stderr, "zoom-presence: %v\nThe tray icon needs the D-Bus session bus of a desktop session: start zoom-presence from one, or set DBUS_SESSION_BUS_ADDRESS.\n", err)
		return 1
	} else if err != nil {
		log.Warn("tray host not checked", "error", err)
	}

	if cfg.sandbox {
		sim, err := startSandbox(log, &cfg)
		if err != nil {
			log.Error("sandbox failed to start", "error", err)
			return 1
		}
		defer sim.Close()
	}
	if cfg.clientID == "" {
		fmt.Fprintln(os.Stderr, "zoom-presence: no Zoom client ID: pass -client-id or set ZOOM_CLIENT_ID (see the README), or try the app with -sandbox")
		return 2
	}

	authConfig := auth.Config{
		ClientID:     cfg.clientID,
		ClientSecret: cfg.clientSecret,
		RedirectURL:  cfg.redirectURL,
		OAuthURL:     cfg.oauthURL,
	}
	if err := authConfig.Validate(); err != nil {
		fmt.Fprintln(os.Stderr, "zoom-presence:", err)
		return 2
	}
	// The store reports a keyring failure to the app, which exists only
	// after the store, so the callback reads app when it runs.
	var app *tray.App
	store, memoryOnly := newStore(cfg, log, func(err error) { app.KeyringFailed(err) })
	session := auth.NewSession(authConfig, store, log)

	client, err := zoom.NewClient(session.Client(), cfg.apiURL)
	if err != nil {
		fmt.Fprintln(os.Stderr, "zoom-presence:", err)
		return 2
	}

	startAtLogin, err := tray.NewAutoStart(args)
	if err != nil {
		log.Warn("start at login unavailable", "error", err)
	}

	log.Info("zoom-presence starting", "version", version, "api_url", cfg.apiURL, "oauth_url", cfg.oauthURL, "sandbox", cfg.sandbox)
	opts := tray.Options{
		Tray:       tray.New(log),
		Account:    session,
		API:        client,
		Sender:     zoom.SenderOptions{Debounce: cfg.debounce},
		Notifier:   tray.NewDesktopNotifier(log, 5*time.Second),
		Open:       browser.OpenURL,
		MemoryOnly: memoryOnly,
		Logger:     log,
	}
	if startAtLogin != nil {
		opts.StartAtLogin = startAtLogin
	}
	app = tray.NewApp(opts)

	restoreInBackground(session, app)
	app.Run(ctx)

	// A refresh to which Zoom has responded must save the rotated token, or
	// the next start would need a new sign-in.
	waitCtx, cancel := context.WithTimeout(context.Background(), refreshWaitAtQuit)
	if err := session.WaitRefresh(waitCtx); err != nil {
		log.Warn("quitting during a token refresh; the next start may ask to sign in again", "error", err)
	}
	cancel()
	log.Info("zoom-presence stopped")
	return 0
}

// restoreWait is how long the start waits for the keyring before it
// shows the tray. A working keyring responds in milliseconds, so the first
// menu shows the sign-in. A keyring that hangs (up to keyringTimeout)
// must not keep the tray away, so the sign-in appears when it loads.
const restoreWait = 500 * time.Millisecond

// refreshWaitAtQuit bounds how long quitting waits for a token refresh
// under way to finish and save its token.
const refreshWaitAtQuit = 5 * time.Second

// restoreInBackground loads the stored sign-in, waiting at most
// restoreWait and then handing the rest to the app.
func restoreInBackground(session *auth.Session, app *tray.App) {
	loaded := make(chan struct{})
	go func() {
		defer close(loaded)
		if err := session.Load(); errors.Is(err, auth.ErrCorruptToken) {
			// The keyring works, so no fallback notified the person yet.
			app.KeyringFailed(err)
		}
	}()

	select {
	case <-loaded:
	case <-time.After(restoreWait):
		go func() {
			<-loaded
			app.SignInRestored()
		}()
	}
}

func parseFlags(args []string) (config, error) {
	cfg := config{clientSecret: os.Getenv("ZOOM_CLIENT_SECRET")}
	fs := flag.NewFlagSet("zoom-presence", flag.ContinueOnError)
	fs.StringVar(&cfg.clientID, "client-id", envOr("ZOOM_CLIENT_ID", clientID), "Zoom OAuth client ID (env ZOOM_CLIENT_ID); the client secret, if any, only from env ZOOM_CLIENT_SECRET")
	fs.StringVar(&cfg.redirectURL, "redirect-url", envOr("ZOOM_REDIRECT_URL", defaultRedirectURL), "loopback redirect URL registered on the Zoom app (env ZOOM_REDIRECT_URL)")
	fs.StringVar(&cfg.apiURL, "api-url", envOr("ZOOM_API_URL", zoom.DefaultBaseURL), "Zoom API base URL (env ZOOM_API_URL)")
	fs.StringVar(&cfg.oauthURL, "oauth-url", envOr("ZOOM_OAUTH_URL", auth.DefaultOAuthURL), "Zoom OAuth base URL (env ZOOM_OAUTH_URL)")
	fs.DurationVar(&cfg.debounce, "debounce", zoom.DefaultDebounce, "how long a choice waits for a newer one before it is sent")
	level := fs.String("log-level", "info", "log level: debug, info, warn or error")
	fs.BoolVar(&cfg.sandbox, "sandbox", false, "run against a built-in Zoom simulator on 127.0.0.1 instead of Zoom")
	fs.BoolVar(&cfg.version, "version", false, "print the version and exit")
	if err := fs.Parse(args); err != nil {
		return cfg, err
	}
	if fs.NArg() > 0 {
		return cfg, fmt.Errorf("unexpected argument %q: all settings are flags, see -help", fs.Arg(0))
	}

	if err := cfg.logLevel.UnmarshalText([]byte(*level)); err != nil {
		return cfg, fmt.Errorf("invalid -log-level %q: use debug, info, warn or error", *level)
	}
	if cfg.debounce <= 0 {
		return cfg, fmt.Errorf("invalid -debounce %v: must be positive, such as 1s or 500ms", cfg.debounce)
	}
	return cfg, nil
}

func envOr(name, fallback string) string {
	if value, ok := os.LookupEnv(name); ok && value != "" {
		return value
	}
	return fallback
}

// startSandbox starts the Zoom simulator on loopback and points cfg at
// it, so that the app can be tried without a Zoom account.
func startSandbox(log *slog.Logger, cfg *config) (*zoomsim.Server, error) {
	sim := zoomsim.New(zoomsim.Options{ClientID: sandboxClientID, Logger: log.With("component", "zoomsim")})
	if err := sim.Start("127.0.0.1:0"); err != nil {
		return nil, fmt.Errorf("start the Zoom simulator: %w", err)
	}

	if spec := os.Getenv(zoomsim.FaultsEnv); spec != "" {
		if err := sim.ApplyFaults(spec); err != nil {
			_ = sim.Close()
			return nil, fmt.Errorf("read %s: %w", zoomsim.FaultsEnv, err)
		}
		log.Info("sandbox: fault switches set", "faults", spec)
	}

	cfg.clientID = sandboxClientID
	cfg.clientSecret = ""
	cfg.apiURL = sim.APIURL()
	cfg.oauthURL = sim.OAuthURL()
	log.Info("sandbox: using the built-in Zoom simulator", "url", sim.URL())
	return sim, nil
}

// newStore returns where tokens are kept, and a function that reports
// whether they are kept in memory only. That is the system keyring until
// it fails and memory after that, when onFailure is called once. The
// sandbox uses memory alone, because its simulator loses its tokens
// when it stops. Tokens never go to a file: a file readable by the user
// would hand a long-lived refresh token to any program running as them.
func newStore(cfg config, log *slog.Logger, onFailure func(error)) (auth.Store, func() bool) {
	if cfg.sandbox {
		return &auth.MemoryStore{}, func() bool { return true }
	}
	store := &auth.FallbackStore{
		Primary:    auth.NewKeyringStore(keyringService, cfg.clientID, keyringTimeout),
		OnFallback: onFailure,
		Logger:     log,
	}
	return store, store.MemoryOnly
}

// newLogger logs to stderr and to zoom-presence.log in the user's cache
// folder. A log file that cannot be opened costs only the file.
func newLogger(level slog.Level) (*slog.Logger, func()) {
	opts := &slog.HandlerOptions{Level: level}
	stderr := slog.NewTextHandler(os.Stderr, opts)

	file, err := openLogFile()
	if err != nil {
		log := slog.New(stderr)
		log.Warn("log file not written", "error", err)
		return log, func() {}
	}
	log := slog.New(slog.NewMultiHandler(stderr, slog.NewTextHandler(file, opts)))
	return log, func() { _ = file.Close() }
}

func openLogFile() (io.WriteCloser, error) {
	dir, err := os.UserCacheDir()
	if err != nil {
		return nil, fmt.Errorf("find the cache folder: %w", err)
	}
	dir = filepath.Join(dir, "zoom-presence")
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return nil, fmt.Errorf("create %s: %w", dir, err)
	}
	return os.OpenFile(filepath.Join(dir, "zoom-presence.log"), os.O_CREATE|os.O_WRONLY|os.O_APPEND, 0o600)
}
