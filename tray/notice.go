package tray

// showNotice puts a notification that the desktop did not show into the
// tooltip, where it stays until a status change goes through or a
// sign-in succeeds.
func (a *App) showNotice(title, message string) {
	a.mu.Lock()
	defer a.mu.Unlock()

	a.log.Info("notification shown in the tooltip instead", "title", title)
	a.state.Notice = title + ": " + message
	a.renderLocked()
}
