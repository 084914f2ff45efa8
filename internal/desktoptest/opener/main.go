// Command opener is a stand-in web browser for end-to-end tests. Installed
// as xdg-open, x-www-browser and www-browser first on PATH, it receives
// the URL a program opens, requests it with a plain HTTP client and
// follows redirects, the way a browser follows a sign-in redirect chain.
//
// Usage:
//
//	xdg-open URL
//
// It accepts only http and https URLs on loopback hosts (localhost,
// 127.0.0.0/8 and ::1), including every redirect target, and connects
// only to loopback addresses, so a test can never reach a real service
// through it. It exits with status 0 when the final response is 2xx, 1
// when a request fails or ends in another status, and 2 for a missing or
// rejected URL.
//
// When ZOOM_PRESENCE_OPENER_LOG names a file, it appends one JSON object
// a line to it for each step (messages "open", "redirect", "response",
// "rejected" and "failed"), with the attributes url, status, location
// and error where they apply. It always logs to standard error as well.
// The values of query parameters that carry secrets, such as code and
// access_token, are replaced by "REDACTED" in every log line.
package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/url"
	"os"
	"slices"
	"strings"
	"syscall"
	"time"
)

// logEnv is the environment variable that names the log file.
const logEnv = "ZOOM_PRESENCE_OPENER_LOG"

const (
	exitOK       = 0
	exitFailed   = 1
	exitRejected = 2
)

// requestTimeout bounds the whole redirect chain. A sign-in callback may
// wait for a token exchange before it responds, so it is generous.
const requestTimeout = 30 * time.Second

// maxRedirects matches the limit of net/http's default redirect policy.
const maxRedirects = 10

// maxBody bounds how much of each response body is read.
const maxBody = 1 << 20

// secretParams are query parameters whose values never go into a log.
var secretParams = []string{"code", "code_verifier", "access_token", "refresh_token", "id_token", "client_secret", "token", "password"}

func main() {
	os.Exit(run(os.Args[1:]))
}

func run(args []string) int {
	log, closeLog := newLogger(os.Getenv(logEnv))
	defer closeLog()

	if len(args) != 1 {
		log.Error("rejected", "error", fmt.Sprintf("expected one URL argument, got %d", len(args)))
		return exitRejected
	}

	target, err := url.Parse(args[0])
	if err == nil {
		err = checkLoopback(target)
	}
	if err != nil {
		log.Error("rejected", "url", redact(args[0]), "error", redactError(err))
		return exitRejected
	}
	log.Info("open", "url", redact(target.String()))

	client := newClient(log)
	ctx, cancel := context.WithTimeout(context.Background(), requestTimeout)
	defer cancel()

	req, err := http.NewRequestWithContext(ctx, http.MethodGet, target.String(), nil)
	if err != nil {
		log.Error("failed", "url", redact(target.String()), "error", err)
		return exitFailed
	}
	req.Header.Set("User-Agent", "zoom-presence-desktoptest-opener")

	resp, err := client.Do(req)
	if err != nil {
		log.Error("failed", "url", redact(target.String()), "error", redactError(err))
		if errors.Is(err, errNotLoopback) {
			return exitRejected
		}
		return exitFailed
	}
	defer resp.Body.Close()

	// The body is read to the end, as a browser does, so a handler that
	// streams its page finishes before the opener exits.
	_, err = io.Copy(io.Discard, io.LimitReader(resp.Body, maxBody))
	if err != nil {
		log.Error("failed", "url", redact(resp.Request.URL.String()), "status", resp.StatusCode, "error", redactError(err))
		return exitFailed
	}

	log.Info("response", "url", redact(resp.Request.URL.String()), "status", resp.StatusCode)
	if resp.StatusCode < 200 || resp.StatusCode > 299 {
		return exitFailed
	}
	return exitOK
}

// newLogger returns a logger that writes text to standard error and, when
// path is not empty, JSON lines appended to path.
func newLogger(path string) (*slog.Logger, func()) {
	stderr := slog.NewTextHandler(os.Stderr, nil)
	if path == "" {
		return slog.New(stderr), func() {}
	}

	file, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_APPEND, 0o600)
	if err != nil {
		log := slog.New(stderr)
		log.Error("open log file failed; logging to standard error only", "path", path, "error", err)
		return log, func() {}
	}
	return slog.New(slog.NewMultiHandler(stderr, slog.NewJSONHandler(file, nil))), func() { file.Close() }
}

var errNotLoopback = errors.New("not a loopback address")

// checkLoopback rejects every URL that is not http or https on a
// loopback host. It does not resolve names: the only name it accepts is
// localhost, and the dialer checks what that resolves to.
func checkLoopback(u *url.URL) error {
	if u.Scheme != "http" && u.Scheme != "https" {
		return fmt.Errorf("scheme %q is not http or https", u.Scheme)
	}

	host := u.Hostname()
	if host == "localhost" {
		return nil
	}
	if ip := net.ParseIP(host); ip != nil && ip.IsLoopback() {
		return nil
	}
	return fmt.Errorf("host %q: %w; this opener only visits loopback URLs", host, errNotLoopback)
}

// newClient returns a client that ignores proxy settings, connects only
// to loopback addresses and checks every redirect target.
func newClient(log *slog.Logger) *http.Client {
	dialer := &net.Dialer{
		Timeout: requestTimeout,
		Control: func(network, address string, _ syscall.RawConn) error {
			host, _, err := net.SplitHostPort(address)
			if err != nil {
				return err
			}
			if ip := net.ParseIP(host); ip == nil || !ip.IsLoopback() {
				return fmt.Errorf("dial %s: %w", address, errNotLoopback)
			}
			return nil
		},
	}

	return &http.Client{
		Transport: &http.Transport{
			Proxy:       nil,
			DialContext: dialer.DialContext,
		},
		CheckRedirect: func(req *http.Request, via []*http.Request) error {
			from := via[len(via)-1]
			status := 0
			if req.Response != nil {
				status = req.Response.StatusCode
			}
			log.Info("redirect", "url", redact(from.URL.String()), "status", status, "location", redact(req.URL.String()))

			if len(via) >= maxRedirects {
				return fmt.Errorf("stopped after %d redirects", maxRedirects)
			}
			return checkLoopback(req.URL)
		},
	}
}

// redact returns rawURL with the values of secret query parameters and
// any password replaced.
func redact(rawURL string) string {
	u, err := url.Parse(rawURL)
	if err != nil {
		return "(unparsable URL)"
	}

	if u.RawQuery != "" {
		values, err := url.ParseQuery(u.RawQuery)
		if err != nil {
			u.RawQuery = "REDACTED"
		} else {
			for _, name := range secretParams {
				if values.Has(name) {
					values.Set(name, "REDACTED")
				}
			}
			u.RawQuery = values.Encode()
		}
	}

	// An implicit-grant redirect carries tokens in the fragment, which
	// is dropped as a whole when it has any secret parameter.
	if u.Fragment != "" {
		values, err := url.ParseQuery(u.Fragment)
		if err != nil || slices.ContainsFunc(secretParams, values.Has) {
			u.Fragment = "REDACTED"
			u.RawFragment = ""
		}
	}
	return u.Redacted()
}

// redactError returns err's message with the URL that net/http puts in
// a *url.Error redacted.
func redactError(err error) string {
	var urlErr *url.Error
	if !errors.As(err, &urlErr) {
		return err.Error()
	}
	return strings.Replace(err.Error(), urlErr.URL, redact(urlErr.URL), 1)
}
