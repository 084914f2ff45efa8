package zoomsim

import (
	"bytes"
	"net/url"
	"strings"
)

// redacted replaces each secret value in the record.
const redacted = "REDACTED"

// plainParams are the OAuth parameters whose values are not secret and are
// recorded as sent. Every other parameter may carry a code, a verifier, a
// token or a client secret.
var plainParams = map[string]bool{
	"response_type":         true,
	"client_id":             true,
	"redirect_uri":          true,
	"state":                 true,
	"code_challenge":        true,
	"code_challenge_method": true,
	"scope":                 true,
	"grant_type":            true,
	"token_type_hint":       true,
}

// redactQuery returns raw with the value of every parameter outside
// plainParams replaced by redacted.
func redactQuery(raw string) string {
	if raw == "" {
		return ""
	}
	return redactForm(raw)
}

// redactBody returns the body to record: OAuth bodies redacted as forms,
// other bodies unchanged.
func redactBody(path string, body []byte) []byte {
	if len(body) == 0 {
		return nil
	}
	if !strings.HasPrefix(path, "/oauth/") {
		return bytes.Clone(body)
	}
	return []byte(redactForm(string(body)))
}

// redactForm parses raw as URL-encoded form data and encodes it again with
// secret values replaced. A parameter name outside the usual characters is
// replaced too, because text that is not a form (JSON, for example) parses
// as one long name that may contain a secret.
func redactForm(raw string) string {
	values, err := url.ParseQuery(raw)
	if err != nil {
		return redacted
	}

	clean := url.Values{}
	for name, list := range values {
		if !isParamName(name) {
			clean.Add(redacted, redacted)
			continue
		}
		for _, value := range list {
			if !plainParams[name] {
				value = redacted
			}
			clean.Add(name, value)
		}
	}
	return clean.Encode()
}

func isParamName(name string) bool {
	if name == "" {
		return false
	}
	for _, c := range name {
		isLetter := c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z'
		isDigit := c >= '0' && c <= '9'
		if !isLetter && !isDigit && c != '_' && c != '-' && c != '.' {
			return false
		}
	}
	return true
}
