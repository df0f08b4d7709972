package httpapi

import (
	"encoding/json"
	"errors"
	"log/slog"
	"net/http"

	"github.com/enlace-exchange/enlace"
)

// statusOf is the one table from domain error codes to HTTP statuses.
var statusOf = map[enlace.Code]int{
	enlace.ENotFound:     http.StatusNotFound,
	enlace.EInvalid:      http.StatusBadRequest,
	enlace.EConflict:     http.StatusConflict,
	enlace.EUnauthorized: http.StatusUnauthorized,
	enlace.EForbidden:    http.StatusForbidden,
	enlace.EInternal:     http.StatusInternalServerError,
}

// errorBody is the JSON every error is written as.
type errorBody struct {
	Code    enlace.Code `json:"code"`
	Message string      `json:"message"`
	// Reasons carry a policy denial's deciding policies.
	Reasons []enlace.Reason `json:"reasons,omitempty"`
}

// deniedError is a forbidden read with the decision behind it.
type deniedError struct {
	err      error
	decision enlace.Decision
}

func (e *deniedError) Error() string { return e.err.Error() }
func (e *deniedError) Unwrap() error { return e.err }

// writeError writes err as JSON. The client reads the domain message; an
// internal error's detail goes to the log only.
func writeError(w http.ResponseWriter, r *http.Request, log *slog.Logger, err error) {
	code := enlace.ErrorCode(err)
	status, ok := statusOf[code]
	if !ok {
		status = http.StatusInternalServerError
	}
	body := errorBody{Code: code, Message: enlace.ErrorMessage(err)}
	var de *deniedError
	if errors.As(err, &de) {
		body.Reasons = de.decision.Reasons
	}
	if status == http.StatusInternalServerError {
		log.ErrorContext(r.Context(), "internal error", "err", err, "request_id", requestID(r.Context()))
		body.Code, body.Message = enlace.EInternal, "internal error (request "+requestID(r.Context())+")"
	}
	if status == http.StatusUnauthorized {
		w.Header().Set("WWW-Authenticate", `Basic realm="enlace", charset="UTF-8", Bearer realm="enlace"`)
	}
	writeJSON(w, status, body)
}

// writeJSON writes v with status.
func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	_ = enc.Encode(v)
}
