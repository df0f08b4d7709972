package taxii

import "testing"

func TestAcceptable(t *testing.T) {
	for _, c := range []struct {
		accept string
		want   bool
	}{
		{"", true},
		{"application/taxii+json;version=2.1", true},
		{"application/taxii+json; version=2.1", true},
		{"Application/TAXII+JSON;version=2.1", true},
		{"application/taxii+json", true},
		{"*/*", true},
		{"application/*", true},
		{"text/html, application/taxii+json;version=2.1;q=0.2", true},
		{"application/taxii+json;version=2.0, application/taxii+json;version=2.1", true},
		{"application/json", false},
		{"application/stix+json;version=2.1", false},
		{"application/taxii+json;version=2.0", false},
		{"application/taxii+json;version=2.1;q=0", false},
		{"application/taxii+json;version=2.1;q=0, */*", false},
		{"application/taxii+json;q=0, */*", false},
		{"*/*;q=0", false},
		{"text/*", false},
		{"garbage;;;", false},
		{"application/taxii+json;version=2.1;q=abc", false},
		{"application/taxii+json;version=2.1;q=2", false},
	} {
		if got := acceptable(c.accept); got != c.want {
			t.Errorf("acceptable(%q) = %v, want %v", c.accept, got, c.want)
		}
	}
}

func TestContentTypeOK(t *testing.T) {
	for _, c := range []struct {
		ct   string
		want bool
	}{
		{"application/taxii+json;version=2.1", true},
		{"application/taxii+json; version=2.1; charset=utf-8", true},
		{"application/taxii+json", true},
		{"", false},
		{"application/json", false},
		{"application/taxii+json;version=2.0", false},
		{"application/stix+json;version=2.1", false},
		{"*/*", false},
	} {
		if got := contentTypeOK(c.ct); got != c.want {
			t.Errorf("contentTypeOK(%q) = %v, want %v", c.ct, got, c.want)
		}
	}
}
