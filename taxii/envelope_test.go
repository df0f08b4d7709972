package taxii

import (
	"bytes"
	"testing"

	"github.com/enlace-exchange/enlace"
)

func TestParseEnvelope(t *testing.T) {
	for _, c := range []struct {
		body string
		code enlace.Code
		n    int
	}{
		{`{"objects":[{"id":"a"},{"id":"b"}]}`, "", 2},
		{` {"more":true,"next":"x","objects":[ {"id":"a"} ]} `, "", 1},
		{``, enlace.EInvalid, 0},
		{`{`, enlace.EInvalid, 0},
		{`{"objects":[]}x`, enlace.EInvalid, 0},
		{`[]`, enlace.EInvalid, 0},
		{`null`, "", 0}, // decodes to a nil map: no objects
		{`{"objects":{}}`, enlace.EInvalid, 0},
		{`{}`, eUnprocessable, 0},
		{`{"objects":[]}`, eUnprocessable, 0},
		{`{"objects":[null]}`, eUnprocessable, 0},
		{`{"objects":[{}, []]}`, eUnprocessable, 0},
	} {
		objs, err := parseEnvelope([]byte(c.body))
		want := c.code
		if c.body == "null" {
			want = eUnprocessable
		}
		if got := enlace.ErrorCode(err); got != want {
			t.Errorf("parseEnvelope(%s): %v, want code %q", c.body, err, want)
		}
		if len(objs) != c.n {
			t.Errorf("parseEnvelope(%s): %d objects, want %d", c.body, len(objs), c.n)
		}
	}
}

// FuzzParseEnvelope: no body makes the envelope parser panic; what it
// accepts is a non-empty list of JSON objects.
func FuzzParseEnvelope(f *testing.F) {
	for _, s := range []string{`{"objects":[{"id":"a"}]}`, `{}`, `[]`, `{"objects":[1]}`, `{"objects":[{"a":[{"b":{}}]}],"more":false}`} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, body []byte) {
		objs, err := parseEnvelope(body)
		if err != nil {
			if c := enlace.ErrorCode(err); c != enlace.EInvalid && c != eUnprocessable {
				t.Fatalf("parseEnvelope: code %q", c)
			}
			return
		}
		if len(objs) == 0 {
			t.Fatal("accepted an envelope without objects")
		}
		for _, o := range objs {
			if o = bytes.TrimSpace(o); len(o) == 0 || o[0] != '{' {
				t.Fatalf("accepted a non-object %q", o)
			}
		}
	})
}
