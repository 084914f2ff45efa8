//go:build !windows

package auth

import (
	"errors"
	"syscall"
)

func isAddrInUse(err error) bool {
	return errors.Is(err, syscall.EADDRINUSE)
}

// isAddrUnavailable reports whether err means that the machine has no such
// address, as when IPv6 is disabled and ::1 is missing.
func isAddrUnavailable(err error) bool {
	return errors.Is(err, syscall.EADDRNOTAVAIL) || errors.Is(err, syscall.EAFNOSUPPORT)
}
