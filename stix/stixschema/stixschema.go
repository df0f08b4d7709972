// Package stixschema validates STIX 2.1 objects against the OASIS STIX 2.1
// JSON schemas, for tests: it is the independent referee the stix
// package's own validator is checked against. It reads the schemas from a
// directory laid out as in oasis-open/cti-stix2-json-schemas (common/,
// sdos/, sros/, observables/), mapping their remote $ids to the local
// files, so it never touches the network.
package stixschema

import (
	"bytes"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"

	"github.com/santhosh-tekuri/jsonschema/v6"
)

// Validator holds the compiled schema of every STIX 2.1 object type.
// It is safe for concurrent use.
type Validator struct {
	byType  map[string]*jsonschema.Schema
	core    *jsonschema.Schema // custom ("x-") types and extension-defined SDOs and SROs
	scoCore *jsonschema.Schema // extension-defined SCOs
}

// newType returns the extension_type (new-sdo, new-sro, new-sco) of the
// extension that introduces obj's type, or "".
func newType(obj map[string]any) string {
	exts, _ := obj["extensions"].(map[string]any)
	for key, e := range exts {
		body, _ := e.(map[string]any)
		if t, _ := body["extension_type"].(string); strings.HasPrefix(key, "extension-definition--") && strings.HasPrefix(t, "new-") {
			return t
		}
	}
	return ""
}

// Load compiles the OASIS STIX 2.1 JSON schemas found under dir.
func Load(dir string) (*Validator, error) {
	c := jsonschema.NewCompiler()
	c.UseLoader(refuseLoader{})
	ids := map[string]string{} // relative path -> $id
	err := filepath.WalkDir(dir, func(path string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() || !strings.HasSuffix(path, ".json") {
			return err
		}
		b, err := os.ReadFile(path)
		if err != nil {
			return err
		}
		doc, err := jsonschema.UnmarshalJSON(bytes.NewReader(b))
		if err != nil {
			return fmt.Errorf("read schema %s: %w", path, err)
		}
		m, ok := doc.(map[string]any)
		id, _ := m["$id"].(string)
		if !ok || id == "" {
			return fmt.Errorf("schema %s has no $id", path)
		}
		if err := c.AddResource(id, doc); err != nil {
			return fmt.Errorf("add schema %s: %w", path, err)
		}
		rel, err := filepath.Rel(dir, path)
		if err != nil {
			return err
		}
		ids[filepath.ToSlash(rel)] = id
		return nil
	})
	if err != nil {
		return nil, err
	}
	compile := func(rel string) (*jsonschema.Schema, error) {
		id, ok := ids[rel]
		if !ok {
			return nil, fmt.Errorf("schema %s missing under %s", rel, dir)
		}
		s, err := c.Compile(id)
		if err != nil {
			return nil, fmt.Errorf("compile schema %s: %w", rel, err)
		}
		return s, nil
	}
	v := &Validator{byType: map[string]*jsonschema.Schema{}}
	for rel := range ids {
		dirName, file := filepath.Split(rel)
		typ := strings.TrimSuffix(file, ".json")
		switch {
		case dirName == "sdos/" || dirName == "sros/" || dirName == "observables/":
		case dirName == "common/" && (typ == "marking-definition" || typ == "language-content" || typ == "extension-definition"):
		default:
			continue
		}
		if v.byType[typ], err = compile(rel); err != nil {
			return nil, err
		}
	}
	if v.core, err = compile("common/core.json"); err != nil {
		return nil, err
	}
	if v.scoCore, err = compile("common/cyber-observable-core.json"); err != nil {
		return nil, err
	}
	if len(v.byType) == 0 {
		return nil, fmt.Errorf("no STIX object schemas under %s", dir)
	}
	return v, nil
}

// refuseLoader keeps the compiler off the network: every schema must have
// been added from the directory.
type refuseLoader struct{}

func (refuseLoader) Load(url string) (any, error) {
	return nil, fmt.Errorf("schema %s is not in the schema directory", url)
}

// Validate checks one STIX object, given as JSON, against the schema of
// its type: common/core.json for custom ("x-") types and for SDOs and SROs
// an extension-definition introduces, common/cyber-observable-core.json for
// such SCOs. An object of any other type with no schema is an error.
func (v *Validator) Validate(obj []byte) error {
	inst, err := jsonschema.UnmarshalJSON(bytes.NewReader(obj))
	if err != nil {
		return fmt.Errorf("object is not JSON: %w", err)
	}
	m, ok := inst.(map[string]any)
	if !ok {
		return fmt.Errorf("object is not a JSON object")
	}
	typ, _ := m["type"].(string)
	s, ok := v.byType[typ]
	if !ok {
		switch newType(m) {
		case "new-sco":
			s = v.scoCore
		case "new-sdo", "new-sro":
			s = v.core
		default:
			if !strings.HasPrefix(typ, "x-") {
				return fmt.Errorf("no schema for object type %q", typ)
			}
			s = v.core
		}
	}
	if err := s.Validate(inst); err != nil {
		id, _ := m["id"].(string)
		return fmt.Errorf("object %s: %w", id, err)
	}
	return nil
}

// Types returns the object types with a schema of their own.
func (v *Validator) Types() []string {
	out := make([]string, 0, len(v.byType))
	for t := range v.byType {
		out = append(out, t)
	}
	return out
}
