package auth

import (
	"errors"
	"syscall"
)

// Winsock error numbers. The syscall package defines EADDRINUSE and
// friends for Windows too, but Winsock never returns those values.
const (
	wsaEAFNOSUPPORT  syscall.Errno = 10047
	wsaEADDRINUSE    syscall.Errno = 10048
	wsaEADDRNOTAVAIL syscall.Errno = 10049
)

func isAddrInUse(err error) bool {
	return errors.Is(err, wsaEADDRINUSE)
}

// isAddrUnavailable reports whether err means that the machine has no such
// address, as when IPv6 is disabled and ::1 is missing.
func isAddrUnavailable(err error) bool {
	return errors.Is(err, wsaEADDRNOTAVAIL) || errors.Is(err, wsaEAFNOSUPPORT)
}
