package taxii

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/enlace-exchange/enlace"
)

func TestWriteError(t *testing.T) {
	for _, c := range []struct {
		err        error
		status     int
		code, desc string
	}{
		{enlace.Errorf(enlace.ENotFound, "no collection x"), 404, "not_found", "no collection x"},
		{enlace.Errorf(enlace.EInvalid, "limit must be a positive integer"), 400, "invalid", "limit must be a positive integer"},
		{enlace.Errorf(enlace.EForbidden, "you may not read it"), 403, "forbidden", "you may not read it"},
		{enlace.Errorf(enlace.EConflict, "already"), 409, "conflict", "already"},
		{fmt.Errorf("add: %w", enlace.Errorf(enlace.EUnauthorized, "who are you")), 401, "unauthorized", "who are you"},
		{enlace.Errorf(eNotAcceptable, "taxii only"), 406, "not_acceptable", "taxii only"},
		{enlace.Errorf(eUnsupportedMedia, "send taxii"), 415, "unsupported_media_type", "send taxii"},
		{enlace.Errorf(eTooLarge, "too big"), 413, "too_large", "too big"},
		{enlace.Errorf(eUnprocessable, "no objects"), 422, "unprocessable", "no objects"},
		{enlace.Errorf(eMethod, "no PUT"), 405, "method_not_allowed", "no PUT"},
		{errors.New("dial tcp 10.0.0.5:5432: secret detail"), 500, "internal", "internal error (request req-1)"},
		{&enlace.Error{Code: enlace.EInternal, Message: "db password wrong", Err: errors.New("x")}, 500, "internal", "internal error (request req-1)"},
		{enlace.Errorf("strange", "odd"), 500, "internal", "internal error (request req-1)"},
	} {
		var logs bytes.Buffer
		log := slog.New(slog.NewTextHandler(&logs, nil))
		r := httptest.NewRequest(http.MethodGet, "/taxii2/", nil)
		r = r.WithContext(context.WithValue(r.Context(), requestIDKey{}, "req-1"))
		w := httptest.NewRecorder()
		writeError(w, r, log, c.err)
		if w.Code != c.status {
			t.Errorf("%v: status %d, want %d", c.err, w.Code, c.status)
		}
		if ct := w.Header().Get("Content-Type"); ct != MediaType {
			t.Errorf("%v: Content-Type %q", c.err, ct)
		}
		var res errorResource
		if err := json.Unmarshal(w.Body.Bytes(), &res); err != nil {
			t.Fatal(err)
		}
		want := errorResource{Title: http.StatusText(c.status), Description: c.desc, ErrorID: "req-1", ErrorCode: c.code, HTTPStatus: fmt.Sprint(c.status)}
		if res != want {
			t.Errorf("%v: resource %+v, want %+v", c.err, res, want)
		}
		if got := w.Header().Get("WWW-Authenticate"); (c.status == 401) != strings.Contains(got, "Basic") {
			t.Errorf("%v: WWW-Authenticate %q", c.err, got)
		}
		if c.status == 500 {
			if !strings.Contains(logs.String(), "req-1") || !strings.Contains(logs.String(), c.err.Error()) {
				t.Errorf("%v: the log lacks the request id or the detail: %s", c.err, logs.String())
			}
			if strings.Contains(w.Body.String(), "secret") || strings.Contains(w.Body.String(), "password") {
				t.Errorf("%v: the detail reached the client: %s", c.err, w.Body.String())
			}
		} else if logs.Len() != 0 {
			t.Errorf("%v: a client error was logged as an internal one: %s", c.err, logs.String())
		}
	}
}
