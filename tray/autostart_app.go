package tray

// startsAtLogin reports whether the login entry exists. An entry that
// cannot be read counts as missing, so that the item offers to create it.
func (a *App) startsAtLogin() bool {
	if a.opts.StartAtLogin == nil {
		return false
	}
	enabled, err := a.opts.StartAtLogin.Enabled()
	if err != nil {
		a.log.Warn("start at login: entry not readable", "error", err)
		return false
	}
	return enabled
}

// toggleStartAtLogin creates the login entry when the menu shows it
// missing, and removes it otherwise. The check mark then shows what the
// entry's state is, read again, rather than what was requested.
func (a *App) toggleStartAtLogin() {
	if a.opts.StartAtLogin == nil {
		a.log.Warn("start at login is not available on this system")
		return
	}

	a.mu.Lock()
	want := !a.state.StartAtLogin
	a.mu.Unlock()

	err := a.opts.StartAtLogin.SetEnabled(want)
	if err != nil {
		a.log.Error("start at login not changed", "enabled", want, "error", err)
		a.opts.Notifier.Notify("Start at login not changed", err.Error())
	} else {
		a.log.Info("start at login changed", "enabled", want)
	}

	a.mu.Lock()
	a.state.StartAtLogin = a.startsAtLogin()
	a.renderLocked()
	a.mu.Unlock()
}
