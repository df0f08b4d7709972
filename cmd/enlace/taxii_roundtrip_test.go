package main

import (
	"bytes"
	"encoding/json"
	"io"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"sort"
	"testing"
	"time"

	"github.com/enlace-exchange/enlace/stix"
	"github.com/enlace-exchange/enlace/stix/stixschema"
)

// sharedData returns ../shared/data, or skips the test when it is absent.
func sharedData(t *testing.T) string {
	t.Helper()
	dir, err := filepath.Abs(filepath.Join("..", "..", "..", "shared", "data"))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(dir); err != nil {
		t.Skipf("skipped: the shared data folder %s is absent (%v)", dir, err)
	}
	return dir
}

// taxiiCall makes one TAXII request as user and returns the status and body.
func (n *node) taxiiCall(user, method, path string, body []byte) (int, http.Header, []byte) {
	n.t.Helper()
	req, err := http.NewRequest(method, n.url+path, bytes.NewReader(body))
	if err != nil {
		n.t.Fatal(err)
	}
	req.SetBasicAuth(user, n.creds[user].Token)
	req.Header.Set("Accept", "application/taxii+json;version=2.1")
	if body != nil {
		req.Header.Set("Content-Type", "application/taxii+json;version=2.1")
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		n.t.Fatal(err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		n.t.Fatal(err)
	}
	return resp.StatusCode, resp.Header, b
}

// TestTAXIIRoundTrip posts the MITRE ATT&CK ICS and Mobile bundles over
// TAXII, reads them back page by page with limit 7, and checks that every
// object comes back semantically identical, in date-added order, and that
// everything the server emits validates against the OASIS STIX 2.1
// schemas.
func TestTAXIIRoundTrip(t *testing.T) {
	data := sharedData(t)
	schemas, err := stixschema.Load(filepath.Join(data, "stix", "schemas"))
	if err != nil {
		t.Fatalf("load the OASIS schemas: %v", err)
	}
	for _, file := range []string{"attack-ics.json", "attack-mobile-17.1.json"} {
		t.Run(file, func(t *testing.T) {
			forEachEngine(t, func(t *testing.T, n *node) { testTAXIIRoundTrip(t, n, data, file, schemas) })
		})
	}
}

func testTAXIIRoundTrip(t *testing.T, n *node, data, file string, schemas *stixschema.Validator) {
	raw, err := os.ReadFile(filepath.Join(data, "stix", file))
	if err != nil {
		t.Fatal(err)
	}
	var bundle struct{ Objects []json.RawMessage }
	if err := json.Unmarshal(raw, &bundle); err != nil {
		t.Fatal(err)
	}
	// enlace resolves an object's markings when it arrives, so a
	// marking-definition must come before the objects it marks;
	// the bundle lists it last. Post the definitions first: what
	// is posted, in that order, must come back.
	sort.SliceStable(bundle.Objects, func(i, j int) bool {
		return isMarking(bundle.Objects[i]) && !isMarking(bundle.Objects[j])
	})
	coll := "/taxii2/interdiction/collections/dipol/"
	since := time.Now().UTC().Add(-time.Microsecond)
	for start := 0; start < len(bundle.Objects); start += 500 {
		chunk := bundle.Objects[start:min(start+500, len(bundle.Objects))]
		env, _ := json.Marshal(map[string]any{"objects": chunk})
		code, _, body := n.taxiiCall("dipol-analyst", "POST", coll+"objects/", env)
		if code != http.StatusAccepted {
			t.Fatalf("POST objects %d..: %d %s", start, code, body)
		}
		var st struct {
			Success int `json:"success_count"`
			Failure int `json:"failure_count"`
			Fails   []struct {
				ID, Message string
			} `json:"failures"`
		}
		if err := json.Unmarshal(body, &st); err != nil {
			t.Fatal(err)
		}
		if st.Success != len(chunk) {
			t.Fatalf("objects %d..: %d of %d stored; failures %+v", start, st.Success, len(chunk), st.Fails)
		}
	}

	var got []json.RawMessage
	var lastAdded string
	q := url.Values{"limit": {"7"}, "added_after": {since.Format("2006-01-02T15:04:05.000000Z")}}
	pages := 0
	for {
		code, hdr, body := n.taxiiCall("dipol-analyst", "GET", coll+"objects/?"+q.Encode(), nil)
		if code != http.StatusOK {
			t.Fatalf("page %d: %d %s", pages, code, body)
		}
		pages++
		var env struct {
			More    bool              `json:"more"`
			Next    string            `json:"next"`
			Objects []json.RawMessage `json:"objects"`
		}
		if err := json.Unmarshal(body, &env); err != nil {
			t.Fatal(err)
		}
		if len(env.Objects) > 7 {
			t.Fatalf("page %d holds %d objects, limit 7", pages, len(env.Objects))
		}
		first := hdr.Get("X-TAXII-Date-Added-First")
		if first <= lastAdded {
			t.Fatalf("page %d starts at %s, not after the last page's %s", pages, first, lastAdded)
		}
		lastAdded = hdr.Get("X-TAXII-Date-Added-Last")
		got = append(got, env.Objects...)
		if !env.More {
			break
		}
		q.Set("next", env.Next)
	}
	if len(got) != len(bundle.Objects) {
		t.Fatalf("read back %d objects in %d pages, posted %d", len(got), pages, len(bundle.Objects))
	}
	for i := range got {
		same, err := stix.Equal(bundle.Objects[i], got[i])
		if err != nil || !same {
			t.Fatalf("object %d differs (err %v):\nposted %s\nread   %s", i, err, bundle.Objects[i], got[i])
		}
		if err := schemas.Validate(got[i]); err != nil {
			t.Errorf("object %d does not validate against the OASIS schemas: %v", i, err)
		}
	}
	t.Logf("%s: %d objects posted and read back in %d pages of 7", file, len(got), pages)
}

// isMarking reports whether raw is a marking-definition.
func isMarking(raw json.RawMessage) bool {
	var o struct{ Type string }
	return json.Unmarshal(raw, &o) == nil && o.Type == "marking-definition"
}

// TestTAXIIEmittedObjectsValidate reads every object the demo world serves
// to a Colombian and a US reader over TAXII and validates each against the
// OASIS STIX 2.1 schema for its type (core.json for custom types).
func TestTAXIIEmittedObjectsValidate(t *testing.T) {
	data := sharedData(t)
	schemas, err := stixschema.Load(filepath.Join(data, "stix", "schemas"))
	if err != nil {
		t.Fatalf("load the OASIS schemas: %v", err)
	}
	n := startNode(t, "") // the objects served do not depend on the engine
	types := map[string]int{}
	for _, reader := range []string{"dipol-liaison", "dea-analyst"} {
		q := url.Values{"limit": {"1000"}, "match[version]": {"all"}}
		for {
			code, _, body := n.taxiiCall(reader, "GET", "/taxii2/investigation/collections/shared/objects/?"+q.Encode(), nil)
			if code != http.StatusOK {
				t.Fatalf("%s: %d %s", reader, code, body)
			}
			var env struct {
				More    bool              `json:"more"`
				Next    string            `json:"next"`
				Objects []json.RawMessage `json:"objects"`
			}
			if err := json.Unmarshal(body, &env); err != nil {
				t.Fatal(err)
			}
			for _, o := range env.Objects {
				var head struct{ Type string }
				_ = json.Unmarshal(o, &head)
				types[head.Type]++
				if err := schemas.Validate(o); err != nil {
					t.Errorf("%s object does not validate: %v\n%s", head.Type, err, o)
				}
			}
			if !env.More {
				break
			}
			q.Set("next", env.Next)
		}
	}
	if len(types) < 4 {
		t.Errorf("only %d object types served: %v", len(types), types)
	}
	t.Logf("validated against the OASIS schemas: %v", types)
}
