//go:build !linux

package auth

// classifyKeyringError returns err unchanged: Keychain and Credential
// Manager are part of the system and have no separate service to miss.
func classifyKeyringError(err error) error {
	return err
}
