package taxii

import (
	"mime"
	"strconv"
	"strings"
)

// The media types the server speaks.
const (
	// MediaType is the TAXII 2.1 media type: every response body, and the
	// body of an add request.
	MediaType = "application/taxii+json;version=2.1"
	// STIXMediaType is the media type of the STIX objects enlace holds, as
	// collections and manifests advertise it.
	STIXMediaType = "application/stix+json;version=2.1"
)

const (
	taxiiType    = "application/taxii+json"
	stixTypeBase = "application/stix+json;version="
	taxiiVersion = "2.1"
)

// acceptable reports whether an Accept header admits MediaType.
//
// The spec asks clients to send Accept: application/taxii+json;version=2.1.
// The server also admits application/taxii+json without a version (the
// latest version, which is 2.1), application/* and */*, and a request with
// no Accept header at all (RFC 9110: any media type). The most specific
// range that matches decides, so "…;version=2.1;q=0, */*" is refused. A
// range naming another TAXII version (2.0) does not match.
func acceptable(header string) bool {
	if strings.TrimSpace(header) == "" {
		return true
	}
	best, bestQ := -1, 0.0
	for _, r := range strings.Split(header, ",") {
		typ, params, err := mime.ParseMediaType(strings.TrimSpace(r))
		if err != nil {
			continue
		}
		q := 1.0
		if s, ok := params["q"]; ok {
			if q, err = strconv.ParseFloat(s, 64); err != nil || q < 0 || q > 1 {
				continue
			}
		}
		spec := -1
		switch typ {
		case "*/*":
			spec = 0
		case "application/*":
			spec = 1
		case taxiiType:
			switch v, ok := params["version"]; {
			case !ok:
				spec = 2
			case v == taxiiVersion:
				spec = 3
			}
		}
		if spec > best {
			best, bestQ = spec, q
		}
	}
	return best >= 0 && bestQ > 0
}

// contentTypeOK reports whether a request's Content-Type is the TAXII 2.1
// media type: application/taxii+json with version 2.1 or no version (the
// latest). Other parameters, such as charset, are ignored.
func contentTypeOK(header string) bool {
	typ, params, err := mime.ParseMediaType(header)
	if err != nil || typ != taxiiType {
		return false
	}
	v, ok := params["version"]
	return !ok || v == taxiiVersion
}
