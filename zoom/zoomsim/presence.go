package zoomsim

import (
	"bytes"
	"encoding/json"
	"io"
	"mime"
	"net/http"
	"strings"
	"time"

	"github.com/zoom-presence/zoom-presence/zoom"
)

// Zoom error codes that the presence endpoints return.
const (
	codeValidation   = 300
	codeInvalidToken = 124
	codeUserNotFound = 1001
	codeNotSignedIn  = 5301
	codeNoPermission = 5411
	codeRateLimited  = 429
)

// defaultDNDMinutes is the Do not disturb duration that Zoom applies when
// an update names no duration.
const defaultDNDMinutes = 20

// rateLimitMessage is the message of a 429 response. Zoom documents the
// one-update-per-minute rule but not the message it sends when an update
// breaks it, so this is the message of Zoom's per-second limit.
const rateLimitMessage = "You have reached the maximum per-second rate limit for this API. Try again later."

// dailyLimitMessage is the message of a 429 response for a spent daily
// limit.
const dailyLimitMessage = "You have reached the maximum daily rate limit for this API. Refer to the response header for details on when you can make another request."

const jsonContentType = "application/json;charset=UTF-8"

// userState is the simulated user's presence. Server.mu guards it.
type userState struct {
	status zoom.Status
	// dndEnd is when Do not disturb ends, or zero for other statuses.
	dndEnd time.Time
	// signedOut is true while the user is signed in to no Zoom client.
	signedOut bool
	// nextUpdate is the earliest time the next update is accepted.
	nextUpdate time.Time
}

// PresenceUpdate is one PUT request to the presence endpoint, accepted or
// rejected.
type PresenceUpdate struct {
	Time time.Time

	// Update is the decoded body, as far as it could be decoded. Minutes
	// is the duration as sent, so it is zero for Do not disturb sent
	// without a duration, for which Zoom applies 20 minutes.
	Update zoom.Update

	// Body is the request body as sent.
	Body []byte

	// Status is the HTTP status of the response: 204 when the update was
	// accepted, 0 when the connection was dropped.
	Status int

	// Code is the Zoom error code in the response body, or 0 when the
	// response carried none.
	Code int
}

// apiResponse is a response of the REST API, built while holding the lock
// and written after.
type apiResponse struct {
	status int
	// code is the Zoom error code in the body, for records and logs.
	code   int
	header http.Header
	body   []byte
	// delay is how long to wait before writing, and drop closes the
	// connection instead.
	delay time.Duration
	drop  bool
}

// write sends resp after its delay. A dropped response panics with
// http.ErrAbortHandler, which makes net/http close the connection without
// logging, and makes Transport fail the request.
func (resp apiResponse) write(w http.ResponseWriter, r *http.Request) {
	if resp.delay > 0 {
		timer := time.NewTimer(resp.delay)
		defer timer.Stop()
		select {
		case <-timer.C:
		case <-r.Context().Done():
			return
		}
	}
	if resp.drop {
		panic(http.ErrAbortHandler)
	}

	for name, values := range resp.header {
		w.Header()[name] = values
	}
	w.WriteHeader(resp.status)
	if len(resp.body) > 0 {
		_, _ = w.Write(resp.body)
	}
}

// fieldError is one entry of the "errors" list in a validation failure.
type fieldError struct {
	Field   string `json:"field"`
	Message string `json:"message"`
}

type errorBody struct {
	Code    int          `json:"code"`
	Message string       `json:"message"`
	Errors  []fieldError `json:"errors,omitempty"`
}

// jsonError returns a Zoom error response: {"code":...,"message":...}.
func jsonError(status, code int, message string, errs ...fieldError) apiResponse {
	body, _ := json.Marshal(errorBody{Code: code, Message: message, Errors: errs})
	header := http.Header{}
	header.Set("Content-Type", jsonContentType)
	return apiResponse{status: status, code: code, header: header, body: body}
}

func validationError(field, message string) apiResponse {
	return jsonError(http.StatusBadRequest, codeValidation, "Validation Failed.", fieldError{Field: field, Message: message})
}

// rateLimited returns the 429 response for an update before next, the time
// the update window opens.
func rateLimited(next time.Time) apiResponse {
	resp := jsonError(http.StatusTooManyRequests, codeRateLimited, rateLimitMessage)
	resp.header.Set("Retry-After", formatRetryAfter(next))
	resp.header.Set("X-RateLimit-Category", "Medium")
	resp.header.Set("X-RateLimit-Type", "QPS")
	return resp
}

// formatRetryAfter formats t as Zoom sends Retry-After: an RFC 3339 UTC
// time. It rounds up to the whole second, so that a client which waits
// until then is not early.
func formatRetryAfter(t time.Time) string {
	if rounded := t.Truncate(time.Second); !rounded.Equal(t) {
		t = rounded.Add(time.Second)
	}
	return t.UTC().Format(time.RFC3339)
}

// presenceBody is the JSON of a GET response.
type presenceBody struct {
	Status  zoom.Status `json:"status"`
	EndTime string      `json:"end_time,omitempty"`
	// RemainingTime is in whole seconds.
	RemainingTime *int64 `json:"remaining_time,omitempty"`
}

func (s *Server) handleGetPresence(w http.ResponseWriter, r *http.Request) {
	resp := s.getPresence(r, time.Now())
	s.logRejected(r, resp)
	resp.delay = s.currentLatency()
	resp.write(w, r)
}

func (s *Server) getPresence(r *http.Request, now time.Time) apiResponse {
	s.mu.Lock()
	defer s.mu.Unlock()

	if resp, ok := s.admitLocked(r, now); !ok {
		return resp
	}

	// NOTE: Zoom does not document what a read returns while the user is
	// signed in to no client. The simulator returns "Offline", the status
	// other users then see.
	body := presenceBody{Status: zoom.StatusOffline}
	if !s.user.signedOut {
		p := s.presenceLocked(now)
		body.Status = p.Status
		if p.Status == zoom.StatusDoNotDisturb {
			remaining := int64(p.Remaining / time.Second)
			body.EndTime = p.EndTime.UTC().Format(time.RFC3339)
			body.RemainingTime = &remaining
		}
	}

	data, _ := json.Marshal(body)
	header := http.Header{}
	header.Set("Content-Type", jsonContentType)
	return apiResponse{status: http.StatusOK, header: header, body: data}
}

func (s *Server) handlePutPresence(w http.ResponseWriter, r *http.Request) {
	// ServeHTTP has already read the body into memory, so this read cannot
	// fail.
	body, _ := io.ReadAll(r.Body)
	resp := s.putPresence(r, body, time.Now())
	s.logRejected(r, resp)
	resp.delay = s.currentLatency()
	resp.write(w, r)
}

func (s *Server) putPresence(r *http.Request, body []byte, now time.Time) apiResponse {
	update, invalid, ok := decodeUpdate(r.Header.Get("Content-Type"), body)

	s.mu.Lock()
	defer s.mu.Unlock()

	resp := s.applyUpdateLocked(r, update, invalid, ok, now)
	s.updates = append(s.updates, PresenceUpdate{
		Time:   now,
		Update: update,
		Body:   bytes.Clone(body),
		Status: resp.status,
		Code:   resp.code,
	})
	return resp
}

// applyUpdateLocked checks an update (token, user, fault, body, client
// sign-in, update window, in this order) and applies it when every check
// passes. A rejected update does not start a new update window.
func (s *Server) applyUpdateLocked(r *http.Request, u zoom.Update, invalid apiResponse, valid bool, now time.Time) apiResponse {
	if resp, ok := s.admitLocked(r, now); !ok {
		return resp
	}
	if !valid {
		return invalid
	}
	if s.user.signedOut {
		return jsonError(http.StatusBadRequest, codeNotSignedIn, "Request to update the presence status of this user failed.")
	}
	if now.Before(s.user.nextUpdate) {
		return rateLimited(s.user.nextUpdate)
	}

	s.user.status = u.Status
	s.user.dndEnd = time.Time{}
	if u.Status == zoom.StatusDoNotDisturb {
		minutes := u.Minutes
		if minutes == 0 {
			minutes = defaultDNDMinutes
		}
		s.user.dndEnd = now.Add(time.Duration(minutes) * time.Minute)
	}
	if s.opts.UpdateInterval > 0 {
		s.user.nextUpdate = now.Add(s.opts.UpdateInterval)
	}

	s.log.Debug("presence updated", "status", u.Status, "dnd_end", s.user.dndEnd)
	return apiResponse{status: http.StatusNoContent}
}

// decodeUpdate decodes a PUT body as Zoom documents it: a JSON object with
// a settable "status" and, for Do_Not_Disturb only, an integer "duration"
// of 1 to 1440 minutes. It returns the update as far as it could be
// decoded, and when the body is invalid, the 400 response and false.
//
// NOTE: Zoom's API reference names only a JSON body. The simulator rejects
// other content types and a duration sent as a string or a fraction, which
// Zoom might accept.
func decodeUpdate(contentType string, body []byte) (zoom.Update, apiResponse, bool) {
	var u zoom.Update

	mediaType, _, _ := mime.ParseMediaType(contentType)
	if mediaType != "application/json" {
		return u, jsonError(http.StatusBadRequest, codeValidation, "Request Body should be a valid JSON object."), false
	}

	var fields map[string]json.RawMessage
	if err := json.Unmarshal(body, &fields); err != nil || fields == nil {
		return u, jsonError(http.StatusBadRequest, codeValidation, "Request Body should be a valid JSON object."), false
	}

	rawStatus, ok := fields["status"]
	if !ok {
		return u, validationError("status", "Missing field: status."), false
	}
	var status string
	if err := json.Unmarshal(rawStatus, &status); err != nil {
		return u, validationError("status", "Invalid field: status must be a string."), false
	}
	u.Status = zoom.Status(status)
	if !isSettable(u.Status) {
		return u, validationError("status", "Invalid field: status "+quote(status)+" is not one of "+settableList()+"."), false
	}

	rawDuration, ok := fields["duration"]
	if !ok || string(rawDuration) == "null" {
		return u, apiResponse{}, true
	}
	var minutes int
	if err := json.Unmarshal(rawDuration, &minutes); err != nil {
		return u, validationError("duration", "Invalid field: duration must be an integer number of minutes."), false
	}
	u.Minutes = minutes
	if u.Status != zoom.StatusDoNotDisturb {
		return u, validationError("duration", "Invalid field: duration is allowed only with Do_Not_Disturb."), false
	}
	if minutes < zoom.MinDNDMinutes || minutes > zoom.MaxDNDMinutes {
		return u, validationError("duration", "Invalid field: duration must be 1 to 1440 minutes."), false
	}
	return u, apiResponse{}, true
}

func isSettable(status zoom.Status) bool {
	for _, settable := range zoom.SettableStatuses {
		if status == settable {
			return true
		}
	}
	return false
}

func settableList() string {
	names := make([]string, len(zoom.SettableStatuses))
	for i, status := range zoom.SettableStatuses {
		names[i] = string(status)
	}
	return strings.Join(names, ", ")
}

func quote(s string) string {
	data, _ := json.Marshal(s)
	return string(data)
}

// admitLocked checks what every API request needs: a valid bearer token
// and the user "me". It then applies the next pending fault for the
// request's method. It returns the error response and false when the
// request must stop there.
func (s *Server) admitLocked(r *http.Request, now time.Time) (apiResponse, bool) {
	token, ok := bearerToken(r.Header.Get("Authorization"))
	if !ok {
		return jsonError(http.StatusUnauthorized, codeInvalidToken, "Invalid access token."), false
	}
	switch s.auth.checkAccess(token, now) {
	case tokenUnknown:
		return jsonError(http.StatusUnauthorized, codeInvalidToken, "Invalid access token."), false
	case tokenExpired:
		return jsonError(http.StatusUnauthorized, codeInvalidToken, "Access token is expired."), false
	}

	// A user-level token may only name its own user, as "me". Zoom rejects
	// any other user ID from such a token as an invalid token.
	if r.PathValue("userId") != "me" {
		return jsonError(http.StatusUnauthorized, codeInvalidToken, "Invalid access token."), false
	}

	return s.faultLocked(r, now)
}

// faultLocked applies the daily limit, then the next pending fault for
// the request's method.
func (s *Server) faultLocked(r *http.Request, now time.Time) (apiResponse, bool) {
	if resp, ok := s.daily.takeLocked(now); !ok {
		return resp, false
	}
	if f, ok := s.takeFaultLocked(r.Method); ok {
		return f.response(now), false
	}
	return apiResponse{}, true
}

// bearerToken returns the token of an "Authorization: Bearer ..." header.
func bearerToken(header string) (string, bool) {
	scheme, token, ok := strings.Cut(header, " ")
	if !ok || !strings.EqualFold(scheme, "Bearer") {
		return "", false
	}
	token = strings.TrimSpace(token)
	return token, token != ""
}

// presenceLocked returns the current presence. It first ends Do not
// disturb when its time is up, as the Zoom client does, which sets the
// status back to Available.
func (s *Server) presenceLocked(now time.Time) zoom.Presence {
	if s.user.status == zoom.StatusDoNotDisturb && !now.Before(s.user.dndEnd) {
		s.user.status = zoom.StatusAvailable
		s.user.dndEnd = time.Time{}
		s.log.Debug("Do not disturb ended", "status", s.user.status)
	}

	p := zoom.Presence{Status: s.user.status}
	if p.Status == zoom.StatusDoNotDisturb {
		p.EndTime = s.user.dndEnd
		p.Remaining = s.user.dndEnd.Sub(now)
	}
	return p
}

func (s *Server) logRejected(r *http.Request, resp apiResponse) {
	if resp.status < 300 {
		return
	}
	s.log.Debug("presence request rejected", "method", r.Method, "path", r.URL.Path, "status", resp.status, "code", resp.code)
}

// Presence returns the user's stored presence, with Remaining counted from
// now. While SetSignedOut(true) is in effect, the API reads "Offline"
// instead, but Presence still returns the stored status.
func (s *Server) Presence() zoom.Presence {
	s.mu.Lock()
	defer s.mu.Unlock()

	return s.presenceLocked(time.Now())
}

// SetPresence sets the user's presence as if the person changed it in the
// Zoom client, so it starts no update window and is not recorded as an
// update. p.Status may be any string, including the read-only statuses
// such as "In_A_Meeting". For Do_Not_Disturb, p.EndTime sets the end; when
// it is zero, Do not disturb lasts p.Remaining, or 20 minutes when that is
// zero too.
func (s *Server) SetPresence(p zoom.Presence) {
	s.mu.Lock()
	defer s.mu.Unlock()

	s.user.status = p.Status
	s.user.dndEnd = time.Time{}
	if p.Status == zoom.StatusDoNotDisturb {
		end := p.EndTime
		if end.IsZero() {
			remaining := p.Remaining
			if remaining <= 0 {
				remaining = defaultDNDMinutes * time.Minute
			}
			end = time.Now().Add(remaining)
		}
		s.user.dndEnd = end
	}
	s.log.Debug("presence set", "status", p.Status, "dnd_end", s.user.dndEnd)
}

// SetSignedOut sets whether the user is signed out of every Zoom client.
// While signed out, updates fail with 400 and code 5301, as Zoom cannot
// set the status of a user who is not signed in to a desktop or mobile
// client, and reads return "Offline".
func (s *Server) SetSignedOut(signedOut bool) {
	s.mu.Lock()
	defer s.mu.Unlock()

	s.user.signedOut = signedOut
	s.log.Debug("Zoom client sign-in changed", "signed_out", signedOut)
}

// PresenceUpdates returns a copy of every PUT request to the presence
// endpoint, accepted or rejected, in the order the server received them.
func (s *Server) PresenceUpdates() []PresenceUpdate {
	s.mu.Lock()
	defer s.mu.Unlock()

	out := make([]PresenceUpdate, len(s.updates))
	for i, u := range s.updates {
		u.Body = bytes.Clone(u.Body)
		out[i] = u
	}
	return out
}
