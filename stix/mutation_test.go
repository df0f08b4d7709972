package stix_test

import (
	"encoding/json"
	"strings"
	"testing"

	"github.com/enlace-exchange/enlace/stix"
)

// replacements are the values a mutation puts in place of a property's.
var replacements = []any{
	nil, "", []any{}, map[string]any{}, 0, -1, 1.5, true, "x", []any{"x"}, []any{1},
	"2020-01-01T00:00:00Z", "identity--8e2e2d2b-17d4-4cbf-938f-98ee46b3cd3f", map[string]any{"a": "b"},
}

// mutations returns obj with each property removed or replaced, down to
// depth levels of nested objects (in a list, the first).
func mutations(obj map[string]any, depth int) map[string]map[string]any {
	out := map[string]map[string]any{}
	for path, v := range mutate(obj, depth) {
		if m, ok := v.(map[string]any); ok {
			out[path] = m
		}
	}
	return out
}

// mutate returns the variants of v, keyed by the path of what changed.
func mutate(v any, depth int) map[string]any {
	out := map[string]any{}
	switch x := v.(type) {
	case map[string]any:
		for k, child := range x {
			with := func(nv any, remove bool) map[string]any {
				c := make(map[string]any, len(x))
				for kk, vv := range x {
					c[kk] = vv
				}
				if remove {
					delete(c, k)
				} else {
					c[k] = nv
				}
				return c
			}
			out[k+" removed"] = with(nil, true)
			for _, r := range replacements {
				out[k+"="+jsonText(r)] = with(r, false)
			}
			if depth > 0 {
				for path, nv := range mutate(child, depth-1) {
					out[k+"."+path] = with(nv, false)
				}
			}
		}
	case []any:
		if len(x) > 0 {
			for path, nv := range mutate(x[0], depth) {
				out["[0]."+path] = append([]any{nv}, x[1:]...)
			}
		}
	}
	return out
}

func jsonText(v any) string { b, _ := json.Marshal(v); return string(b) }

// TestMutationsNoLaxerThanSchemas mutates the fixtures and a sample of the
// ATT&CK objects and holds that Parse never accepts what the OASIS
// schemas reject. (The reverse happens by design: Parse also checks what
// JSON Schema cannot express, such as the order of two timestamps, and
// the types of objects that references name.)
func TestMutationsNoLaxerThanSchemas(t *testing.T) {
	v := oasis(t)
	objs := fixtures(t)
	if !testing.Short() {
		for i, raw := range attackObjects(t) {
			if i%40 == 0 {
				objs = append(objs, raw)
			}
		}
	}
	n, stricter := 0, 0
	for _, raw := range objs {
		var obj map[string]any
		if err := json.Unmarshal(raw, &obj); err != nil {
			t.Fatal(err)
		}
		for name, m := range mutations(obj, 3) {
			b, err := json.Marshal(m)
			if err != nil {
				t.Fatal(err)
			}
			n++
			_, ours := stix.Parse(b)
			theirs := v.Validate(b)
			switch {
			case ours == nil && theirs != nil && overStrict(name) != "":
				t.Logf("%s %s: the schemas reject it: %s", obj["id"], name, overStrict(name))
			case ours == nil && theirs != nil:
				t.Errorf("%s %s: Parse accepts what the schemas reject: %v", obj["id"], name, theirs)
			case ours != nil && theirs == nil:
				stricter++
			}
		}
	}
	t.Logf("%d mutations: Parse rejects %d that the schemas accept, and accepts none they reject", n, stricter)
}

// overStrict says why the schemas reject a mutation that STIX 2.1 allows,
// or returns "".
func overStrict(mutation string) string {
	// external-reference.json emulates "if source_name is cve, external_id
	// is a CVE id" with oneOf and not, which also forbids the converse: a
	// CVE or CAPEC id under any other source_name (say "nvd").
	if strings.HasPrefix(mutation, `external_references.[0].source_name="`) {
		return "a CVE or CAPEC external_id under another source_name"
	}
	return ""
}
