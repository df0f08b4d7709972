package httpapi

import (
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"strconv"

	"github.com/enlace-exchange/enlace"
)

// maxBody bounds a JSON request body.
const maxBody = 16 << 20

// decode reads exactly one JSON value into v, refusing unknown fields, so
// a typo in a field name is an error rather than a silent default.
func decode(w http.ResponseWriter, r *http.Request, v any) error {
	r.Body = http.MaxBytesReader(w, r.Body, maxBody)
	dec := json.NewDecoder(r.Body)
	dec.DisallowUnknownFields()
	if err := dec.Decode(v); err != nil {
		var tooBig *http.MaxBytesError
		var syn *json.SyntaxError
		var typ *json.UnmarshalTypeError
		var de *enlace.Error
		switch {
		case errors.As(err, &tooBig):
			return enlace.Errorf(enlace.EInvalid, "request body exceeds %d bytes", maxBody)
		case errors.As(err, &syn):
			return enlace.Errorf(enlace.EInvalid, "malformed JSON at byte %d: %v", syn.Offset, syn)
		case errors.As(err, &typ):
			return enlace.Errorf(enlace.EInvalid, "field %q must be %s, not %s", typ.Field, typ.Type, typ.Value)
		case errors.As(err, &de):
			return de
		case errors.Is(err, io.EOF):
			return enlace.Errorf(enlace.EInvalid, "empty body: a JSON object is required")
		case errors.Is(err, io.ErrUnexpectedEOF):
			return enlace.Errorf(enlace.EInvalid, "malformed JSON: unexpected end of input")
		default:
			return enlace.Errorf(enlace.EInvalid, "malformed JSON: %v", err)
		}
	}
	if dec.More() {
		return enlace.Errorf(enlace.EInvalid, "malformed JSON: more than one value in the body")
	}
	return nil
}

// queryInt reads an integer query parameter, def when absent.
func queryInt(r *http.Request, name string, def int64) (int64, error) {
	s := r.URL.Query().Get(name)
	if s == "" {
		return def, nil
	}
	n, err := strconv.ParseInt(s, 10, 64)
	if err != nil || n < 0 {
		return 0, enlace.Errorf(enlace.EInvalid, "query parameter %s must be a non-negative integer", name)
	}
	return n, nil
}

// pathInt reads an integer path value.
func pathInt(r *http.Request, name string) (int64, error) {
	n, err := strconv.ParseInt(r.PathValue(name), 10, 64)
	if err != nil {
		return 0, enlace.Errorf(enlace.ENotFound, "no %s %q", name, r.PathValue(name))
	}
	return n, nil
}
