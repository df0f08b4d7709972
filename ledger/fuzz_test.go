package ledger

import (
	"bytes"
	"encoding/binary"
	"strings"
	"testing"
)

// FuzzParseTilePath: a partner's request path is parsed only in its
// canonical spelling, so a parsed path prints back to itself.
func FuzzParseTilePath(f *testing.F) {
	for _, s := range []string{"0/000", "0/x001/x234/067", "entries/005.p/17", "2/x001/000.p/1", "0/001.p/256", "63/000"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, p string) {
		level, n, width, err := parseTilePath(p)
		if err != nil {
			return
		}
		if got := tilePath(level, n, width); got != "tile/"+p {
			t.Fatalf("parseTilePath(%q) = %d, %d, %d, which prints as %q", p, level, n, width, got)
		}
	})
}

// FuzzSplitBundle: a bundle a node serves is split without panic, and
// what splits re-encodes to the same bytes.
func FuzzSplitBundle(f *testing.F) {
	f.Add([]byte{0, 3, 'a', 'b', 'c', 0, 0})
	f.Add([]byte{0xff})
	f.Fuzz(func(t *testing.T, b []byte) {
		leaves, err := splitBundle(b)
		if err != nil {
			return
		}
		var out []byte
		for _, l := range leaves {
			out = binary.BigEndian.AppendUint16(out, uint16(len(l)))
			out = append(out, l...)
		}
		if !bytes.Equal(out, b) {
			t.Fatalf("splitBundle(%x) re-encodes as %x", b, out)
		}
	})
}

// FuzzSignatureLine: a cosignature line a partner posts is parsed
// without panic and never yields a name with a space.
func FuzzSignatureLine(f *testing.F) {
	f.Add([]byte("\u2014 witness.example.us AAAAAQ==\n"))
	f.Add([]byte("\u2014  x\n"))
	f.Fuzz(func(t *testing.T, line []byte) {
		name, _, sig, err := parseSignatureLine(line)
		if err != nil {
			return
		}
		if name == "" || strings.ContainsAny(name, " \n") || len(sig) == 0 {
			t.Fatalf("parseSignatureLine(%q) = %q, %x", line, name, sig)
		}
	})
}
