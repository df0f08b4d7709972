package stix_test

import (
	"testing"

	"github.com/enlace-exchange/enlace/stix"
)

func TestEqual(t *testing.T) {
	tests := []struct {
		a, b string
		want bool
	}{
		{`{"a":1,"b":[1,2,{"c":"d"}]}`, ` { "b" : [1, 2, {"c":"d"}], "a" : 1 } `, true},
		{`{"a":1}`, `{"a":1,"b":2}`, false},
		{`{"a":1,"b":2}`, `{"a":1}`, false},
		{`[1,2]`, `[2,1]`, false},
		{`[1,2]`, `[1,2,3]`, false},
		{`1`, `1.0`, true},
		{`100`, `1e2`, true},
		{`1.5E+2`, `150`, true},
		{`0.001`, `1e-3`, true},
		{`-0`, `0`, true},
		{`0e99`, `0.0`, true},
		{`9007199254740993`, `9007199254740992`, false},
		{`12345678901234567890123`, `12345678901234567890123.000`, true},
		{`1e400`, `1e401`, false},
		{`-1`, `1`, false},
		{`"\u00e9"`, `"é"`, true},
		{`"\/"`, `"/"`, true},
		{`"a"`, `"b"`, false},
		{`true`, `true`, true},
		{`true`, `false`, false},
		{`null`, `null`, true},
		{`null`, `0`, false},
		{`"1"`, `1`, false},
		{`{}`, `[]`, false},
	}
	for _, tt := range tests {
		got, err := stix.Equal([]byte(tt.a), []byte(tt.b))
		if err != nil {
			t.Errorf("Equal(%s, %s): %v", tt.a, tt.b, err)
			continue
		}
		if got != tt.want {
			t.Errorf("Equal(%s, %s) = %v, want %v", tt.a, tt.b, got, tt.want)
		}
		if back, _ := stix.Equal([]byte(tt.b), []byte(tt.a)); back != got {
			t.Errorf("Equal is not symmetric on %s, %s", tt.a, tt.b)
		}
	}
}

func TestEqualErrors(t *testing.T) {
	for _, tt := range []struct{ a, b string }{
		{`{"a":1,"a":1}`, `{"a":1}`},
		{`{"a":1}`, `{"a":1,"a":2}`},
		{`[{"x":1,"x":1}]`, `[]`},
		{`{"a":[1,2}`, `{}`},
		{`{} {}`, `{}`},
		{``, `1`},
		{`01`, `1`},
	} {
		if _, err := stix.Equal([]byte(tt.a), []byte(tt.b)); err == nil {
			t.Errorf("Equal(%q, %q): no error", tt.a, tt.b)
		}
	}
}
