package taxii

import (
	"log/slog"
	"net/http"
	"strconv"

	"github.com/enlace-exchange/enlace"
)

// Codes for the protocol's own refusals, beside the domain's. They never
// leave this package except as the error_code of an error resource.
const (
	eNotAcceptable    enlace.Code = "not_acceptable"
	eUnsupportedMedia enlace.Code = "unsupported_media_type"
	eTooLarge         enlace.Code = "too_large"
	eUnprocessable    enlace.Code = "unprocessable"
	eMethod           enlace.Code = "method_not_allowed"
)

// statusOf is the one table from error codes to HTTP statuses. A code not in
// it is internal.
var statusOf = map[enlace.Code]int{
	enlace.ENotFound:     http.StatusNotFound,
	enlace.EInvalid:      http.StatusBadRequest,
	enlace.EConflict:     http.StatusConflict,
	enlace.EUnauthorized: http.StatusUnauthorized,
	enlace.EForbidden:    http.StatusForbidden,
	enlace.EInternal:     http.StatusInternalServerError,
	eNotAcceptable:       http.StatusNotAcceptable,
	eUnsupportedMedia:    http.StatusUnsupportedMediaType,
	eTooLarge:            http.StatusRequestEntityTooLarge,
	eUnprocessable:       http.StatusUnprocessableEntity,
	eMethod:              http.StatusMethodNotAllowed,
}

// errorResource is the TAXII 2.1 error message (section 3.6.1).
type errorResource struct {
	Title       string `json:"title"`
	Description string `json:"description,omitempty"`
	ErrorID     string `json:"error_id,omitempty"`   // the request id, to quote to the operator
	ErrorCode   string `json:"error_code,omitempty"` // enlace's error code
	HTTPStatus  string `json:"http_status,omitempty"`
}

// wwwAuthenticate is sent with every 401: TAXII requires HTTP Basic, enlace
// also takes bearer tokens.
const wwwAuthenticate = `Basic realm="enlace", charset="UTF-8", Bearer realm="enlace"`

// writeError renders err as a TAXII error resource. The client reads the
// domain message; an internal error's detail goes to the log only, with the
// request id the client is given.
func writeError(w http.ResponseWriter, r *http.Request, log *slog.Logger, err error) {
	code := enlace.ErrorCode(err)
	status, ok := statusOf[code]
	if !ok {
		code, status = enlace.EInternal, http.StatusInternalServerError
	}
	id := requestID(r.Context())
	res := errorResource{
		Title:       http.StatusText(status),
		Description: enlace.ErrorMessage(err),
		ErrorID:     id,
		ErrorCode:   string(code),
		HTTPStatus:  strconv.Itoa(status),
	}
	if status == http.StatusInternalServerError {
		log.ErrorContext(r.Context(), "internal error", "err", err, "request_id", id)
		res.ErrorCode, res.Description = string(enlace.EInternal), "internal error (request "+id+")"
	}
	if status == http.StatusUnauthorized {
		w.Header().Set("WWW-Authenticate", wwwAuthenticate)
	}
	writeJSON(w, status, res)
}
