// Package ofac parses the U.S. Treasury OFAC sanctions lists in their legacy
// CSV form: the SDN set (sdn.csv, alt.csv, add.csv, sdn_comments.csv) and
// the consolidated non-SDN set (cons_prim.csv, cons_alt.csv, cons_add.csv,
// cons_comments.csv).
//
// Identifiers, dates of birth, nationalities and weak aliases are taken from
// the free-text remarks. Malformed input is refused with a *screen.ParseError
// naming the file, the line and the reason.
package ofac

import (
	"bytes"
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"regexp"
	"strings"
	"unicode/utf8"

	"github.com/enlace-exchange/enlace/screen"
)

// List names used for Entry.List.
const (
	SDNList  = "us-ofac-sdn"
	ConsList = "us-ofac-cons"
)

// Files names the four files of one OFAC set. Only Primary is required.
type Files struct {
	Primary, Alt, Address, Comments string
}

// SDNFiles and ConsFiles are the file names of the two sets.
var (
	SDNFiles  = Files{"sdn.csv", "alt.csv", "add.csv", "sdn_comments.csv"}
	ConsFiles = Files{"cons_prim.csv", "cons_alt.csv", "cons_add.csv", "cons_comments.csv"}
)

// Parse reads whichever OFAC sets fsys holds at its root: the SDN set if
// sdn.csv is present, the consolidated set if cons_prim.csv is. It fails if
// neither is present.
func Parse(fsys fs.FS) ([]screen.Entry, error) {
	var out []screen.Entry
	found := false
	for _, set := range []struct {
		list  string
		files Files
	}{{SDNList, SDNFiles}, {ConsList, ConsFiles}} {
		if _, err := fs.Stat(fsys, set.files.Primary); err != nil {
			continue
		}
		found = true
		es, err := ParseSet(fsys, set.list, set.files)
		if err != nil {
			return nil, err
		}
		out = append(out, es...)
	}
	if !found {
		return nil, &screen.ParseError{File: SDNFiles.Primary, Reason: "neither sdn.csv nor cons_prim.csv present"}
	}
	return out, nil
}

// ParseSet reads one set from fsys; the optional files may be absent.
func ParseSet(fsys fs.FS, list string, files Files) ([]screen.Entry, error) {
	open := func(name string, required bool) (io.ReadCloser, error) {
		if name == "" {
			return nil, nil
		}
		f, err := fsys.Open(name)
		if errors.Is(err, fs.ErrNotExist) && !required {
			return nil, nil
		}
		if err != nil {
			return nil, fmt.Errorf("open %s: %w", name, err)
		}
		return f, nil
	}
	var rs [4]io.ReadCloser
	for i, n := range []string{files.Primary, files.Alt, files.Address, files.Comments} {
		r, err := open(n, i == 0)
		if err != nil {
			for _, c := range rs {
				if c != nil {
					c.Close()
				}
			}
			return nil, err
		}
		rs[i] = r
	}
	defer func() {
		for _, c := range rs {
			if c != nil {
				c.Close()
			}
		}
	}()
	in := Readers{List: list, Files: files}
	if rs[0] != nil {
		in.Primary = rs[0]
	}
	if rs[1] != nil {
		in.Alt = rs[1]
	}
	if rs[2] != nil {
		in.Address = rs[2]
	}
	if rs[3] != nil {
		in.Comments = rs[3]
	}
	return ParseReaders(in)
}

// Readers holds the open files of one set; nil readers are skipped except
// Primary. Files names them in errors.
type Readers struct {
	List                            string
	Files                           Files
	Primary, Alt, Address, Comments io.Reader
}

// ParseReaders parses one set from readers.
func ParseReaders(in Readers) ([]screen.Entry, error) {
	if in.Primary == nil {
		return nil, &screen.ParseError{File: in.Files.Primary, Reason: "missing"}
	}
	var entries []screen.Entry
	byID := map[string]int{}
	remarks := map[string]string{}
	err := readCSV(in.Primary, in.Files.Primary, 12, func(line int, r []string) error {
		id := r[0]
		if !isNum(id) {
			return fmt.Errorf("ent_num %q is not a number", id)
		}
		if _, dup := byID[id]; dup {
			return fmt.Errorf("duplicate ent_num %s", id)
		}
		name := val(r[1])
		if name == "" {
			return fmt.Errorf("entry %s has no name", id)
		}
		e := screen.Entry{List: in.List, ID: id, Names: []screen.Name{{Value: name, Kind: screen.PrimaryName}}}
		switch t := strings.ToLower(val(r[2])); t {
		case "individual":
			e.Type = screen.Person
		case "", "entity":
			e.Type = screen.Organization
		case "vessel":
			e.Type = screen.Vessel
		case "aircraft":
			e.Type = screen.Aircraft
		default:
			return fmt.Errorf("unknown SDN type %q", t)
		}
		for _, p := range strings.Split(val(r[3]), "] [") {
			if p = strings.Trim(p, "[] "); p != "" {
				e.Programs = append(e.Programs, p)
			}
		}
		e.CallSign = val(r[5])
		byID[id] = len(entries)
		remarks[id] = val(r[11])
		entries = append(entries, e)
		return nil
	})
	if err != nil {
		return nil, err
	}
	if in.Alt != nil {
		err := readCSV(in.Alt, in.Files.Alt, 5, func(line int, r []string) error {
			i, ok := byID[r[0]]
			if !ok {
				return fmt.Errorf("ent_num %q not in %s", r[0], in.Files.Primary)
			}
			name := val(r[3])
			if name == "" {
				return nil
			}
			kind := screen.AKA
			switch strings.ToLower(val(r[2])) {
			case "fka":
				kind = screen.FKA
			case "nka":
				kind = screen.NKA
			}
			entries[i].Names = append(entries[i].Names, screen.Name{Value: name, Kind: kind})
			return nil
		})
		if err != nil {
			return nil, err
		}
	}
	if in.Address != nil {
		err := readCSV(in.Address, in.Files.Address, 6, func(line int, r []string) error {
			if _, ok := byID[r[0]]; !ok {
				return fmt.Errorf("ent_num %q not in %s", r[0], in.Files.Primary)
			}
			return nil
		})
		if err != nil {
			return nil, err
		}
	}
	if in.Comments != nil {
		// Comments continue remarks cut at the column limit. Orphans occur
		// in real files and are ignored.
		err := readCSV(in.Comments, in.Files.Comments, 2, func(line int, r []string) error {
			if _, ok := byID[r[0]]; ok {
				remarks[r[0]] += val(r[1])
			}
			return nil
		})
		if err != nil {
			return nil, err
		}
	}
	for i := range entries {
		applyRemarks(&entries[i], remarks[entries[i].ID])
	}
	return entries, nil
}

// readCSV reads an OFAC CSV file with exactly n fields a record, calling f
// with each record's line number. It strips the DOS end-of-file byte and
// reads Latin-1 when the file is not UTF-8.
func readCSV(r io.Reader, file string, n int, f func(line int, rec []string) error) error {
	data, err := io.ReadAll(r)
	if err != nil {
		return fmt.Errorf("read %s: %w", file, err)
	}
	data = bytes.TrimRight(data, "\x1a\r\n \t")
	if !utf8.Valid(data) {
		data = latin1ToUTF8(data)
	}
	cr := csv.NewReader(bytes.NewReader(data))
	cr.FieldsPerRecord = -1
	cr.ReuseRecord = true
	for {
		rec, err := cr.Read()
		if err == io.EOF {
			return nil
		}
		if err != nil {
			var pe *csv.ParseError
			if errors.As(err, &pe) {
				return &screen.ParseError{File: file, Line: pe.Line, Reason: pe.Err.Error()}
			}
			return &screen.ParseError{File: file, Reason: err.Error()}
		}
		line, _ := cr.FieldPos(0)
		if len(rec) != n {
			return &screen.ParseError{File: file, Line: line, Reason: fmt.Sprintf("%d fields, want %d", len(rec), n)}
		}
		for i := range rec {
			rec[i] = strings.TrimSpace(rec[i])
		}
		if err := f(line, rec); err != nil {
			return &screen.ParseError{File: file, Line: line, Reason: err.Error()}
		}
	}
}

func latin1ToUTF8(b []byte) []byte {
	out := make([]byte, 0, len(b)+len(b)/8)
	for _, c := range b {
		out = utf8.AppendRune(out, rune(c))
	}
	return out
}

// val maps OFAC's null marker "-0-" to "".
func val(s string) string {
	s = strings.TrimSpace(s)
	if s == "-0-" {
		return ""
	}
	return s
}

func isNum(s string) bool {
	if s == "" {
		return false
	}
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return true
}

var (
	reDOB    = regexp.MustCompile(`(?:^|; )(?:alt\. )?DOB ([^;]+)`)
	reNat    = regexp.MustCompile(`(?:^|; )(?:alt\. )?(?:nationality|citizen) ([^;]+)`)
	reIMO    = regexp.MustCompile(`\bIMO\s+(\d{7})\b`)
	reMMSI   = regexp.MustCompile(`MMSI (\d{9})`)
	reWeak   = regexp.MustCompile(`a\.k\.a\. '([^']+)'`)
	reDate   = regexp.MustCompile(`^(?:circa |approximately )?(?:(\d{1,2}) )?(?:([A-Z][a-z]{2}) )?(\d{4})$`)
	reRange  = regexp.MustCompile(`^(?:circa )?(?:\d{1,2} )?(?:[A-Z][a-z]{2} )?(\d{4}) to (?:\d{1,2} )?(?:[A-Z][a-z]{2} )?(\d{4})$`)
	monthNum = map[string]int{"Jan": 1, "Feb": 2, "Mar": 3, "Apr": 4, "May": 5, "Jun": 6, "Jul": 7, "Aug": 8, "Sep": 9, "Oct": 10, "Nov": 11, "Dec": 12}
)

// applyRemarks takes dates of birth, nationalities, vessel identifiers and
// weak aliases from an entry's remarks.
func applyRemarks(e *screen.Entry, rem string) {
	e.Remarks = rem
	if rem == "" {
		return
	}
	for _, m := range reDOB.FindAllStringSubmatch(rem, -1) {
		if d := ParseDate(m[1]); d != "" {
			e.BirthDates = append(e.BirthDates, d)
		}
	}
	for _, m := range reNat.FindAllStringSubmatch(rem, -1) {
		n := strings.TrimSuffix(strings.TrimSpace(m[1]), ".")
		if n != "" && !contains(e.Nationalities, n) {
			e.Nationalities = append(e.Nationalities, n)
		}
	}
	if m := reIMO.FindStringSubmatch(rem); m != nil {
		e.IMO = m[1]
	}
	if m := reMMSI.FindStringSubmatch(rem); m != nil {
		e.MMSI = m[1]
	}
	for _, m := range reWeak.FindAllStringSubmatch(rem, -1) {
		e.Names = append(e.Names, screen.Name{Value: m[1], Kind: screen.WeakAKA})
	}
}

// ParseDate turns an OFAC date ("21 Jan 1971", "Jan 1971", "1971",
// "circa 1960", "1962 to 1964") into ISO 8601 ("1971-01-21", "1971-01",
// "1971", "1962/1964"); it returns "" for anything else.
func ParseDate(s string) string {
	s = strings.TrimSuffix(strings.TrimSpace(s), ".")
	if m := reRange.FindStringSubmatch(s); m != nil {
		if m[1] == m[2] {
			return m[1]
		}
		return m[1] + "/" + m[2]
	}
	m := reDate.FindStringSubmatch(s)
	if m == nil {
		return ""
	}
	out := m[3]
	if m[2] != "" {
		mo, ok := monthNum[m[2]]
		if !ok {
			return m[3]
		}
		out += fmt.Sprintf("-%02d", mo)
		if m[1] != "" {
			out += fmt.Sprintf("-%02s", m[1])
		}
	}
	return out
}

func contains(s []string, v string) bool {
	for _, x := range s {
		if x == v {
			return true
		}
	}
	return false
}

// ParseSDN reads the SDN set (sdn.csv required; alt.csv, add.csv and
// sdn_comments.csv optional) from the root of fsys. It suits
// screen.ImportRequest.Parse.
func ParseSDN(fsys fs.FS) ([]screen.Entry, error) { return ParseSet(fsys, SDNList, SDNFiles) }

// ParseCons reads the consolidated non-SDN set (cons_prim.csv required) from
// the root of fsys. It suits screen.ImportRequest.Parse.
func ParseCons(fsys fs.FS) ([]screen.Entry, error) { return ParseSet(fsys, ConsList, ConsFiles) }
