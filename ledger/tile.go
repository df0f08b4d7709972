package ledger

import (
	"encoding/binary"
	"errors"
	"fmt"
	"strconv"
	"strings"
)

// tileHeight is the C2SP tlog-tiles tile height: a tile holds up to 256
// hashes of one tree level, and level L tiles hold tree level 8L.
const (
	tileHeight = 8
	tileWidth  = 1 << tileHeight
)

// tilePath names a tile or an entry bundle as C2SP tlog-tiles does:
// "tile/<L>/<N>[.p/<W>]" or, for level -1, "tile/entries/<N>[.p/<W>]".
// A width of 256 (or 0) is a full tile.
func tilePath(level int, n uint64, width int) string {
	var b strings.Builder
	b.WriteString("tile/")
	if level < 0 {
		b.WriteString("entries")
	} else {
		b.WriteString(strconv.Itoa(level))
	}
	b.WriteString("/")
	b.WriteString(encodeTileIndex(n))
	if width > 0 && width < tileWidth {
		fmt.Fprintf(&b, ".p/%d", width)
	}
	return b.String()
}

// encodeTileIndex writes n in zero-padded groups of three digits, all but
// the last prefixed with x: 1234067 is "x001/x234/067".
func encodeTileIndex(n uint64) string {
	groups := []string{fmt.Sprintf("%03d", n%1000)}
	for n >= 1000 {
		n /= 1000
		groups = append(groups, fmt.Sprintf("x%03d", n%1000))
	}
	var b strings.Builder
	for i := len(groups) - 1; i >= 0; i-- {
		b.WriteString(groups[i])
		if i > 0 {
			b.WriteByte('/')
		}
	}
	return b.String()
}

// parseTilePath reads a path made by tilePath, less its "tile/" prefix:
// level is -1 for an entry bundle and width is 256 for a full tile. Only
// the canonical spelling is accepted.
func parseTilePath(p string) (level int, n uint64, width int, err error) {
	bad := fmt.Errorf("%q is not a tile path", "tile/"+p)
	segs := strings.Split(p, "/")
	if len(segs) < 2 {
		return 0, 0, 0, bad
	}
	if segs[0] == "entries" {
		level = -1
	} else if level, err = strconv.Atoi(segs[0]); err != nil || level < 0 || level > 63 || strconv.Itoa(level) != segs[0] {
		return 0, 0, 0, bad
	}
	segs = segs[1:]
	width = tileWidth
	if len(segs) >= 2 && strings.HasSuffix(segs[len(segs)-2], ".p") {
		w, err := strconv.Atoi(segs[len(segs)-1])
		if err != nil || w < 1 || w >= tileWidth || strconv.Itoa(w) != segs[len(segs)-1] {
			return 0, 0, 0, bad
		}
		width = w
		segs = segs[:len(segs)-1]
		segs[len(segs)-1] = strings.TrimSuffix(segs[len(segs)-1], ".p")
	}
	if len(segs) > 7 { // 2^64 has 20 digits
		return 0, 0, 0, bad
	}
	for i, s := range segs {
		if i < len(segs)-1 {
			var ok bool
			if s, ok = strings.CutPrefix(s, "x"); !ok {
				return 0, 0, 0, bad
			}
		}
		if len(s) != 3 || s[0] < '0' || s[0] > '9' || s[1] < '0' || s[1] > '9' || s[2] < '0' || s[2] > '9' {
			return 0, 0, 0, bad
		}
		d, _ := strconv.ParseUint(s, 10, 64)
		if n > (1<<64-1-d)/1000 {
			return 0, 0, 0, bad
		}
		n = n*1000 + d
	}
	if encodeTileIndex(n) != strings.Join(segs, "/") {
		return 0, 0, 0, bad
	}
	return level, n, width, nil
}

// splitBundle reads an entry bundle: big-endian uint16 length, leaf, ...
func splitBundle(b []byte) ([][]byte, error) {
	var leaves [][]byte
	for len(b) > 0 {
		if len(b) < 2 {
			return leaves, errors.New("truncated length")
		}
		n := int(binary.BigEndian.Uint16(b))
		if len(b) < 2+n {
			return leaves, errors.New("truncated entry")
		}
		leaves = append(leaves, b[2:2+n])
		b = b[2+n:]
	}
	return leaves, nil
}
