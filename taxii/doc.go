// Package taxii is enlace's TAXII 2.1 face (OASIS Standard, 10 June 2021):
// discovery, API roots, collections, objects, manifests, versions and
// status under /taxii2/. Like the JSON API it parses, authenticates and
// renders; it decides nothing. What a caller may read or write, and what is
// stored, is the Backend's, which the exchange implements.
//
// # Purpose is the API root
//
// enlace releases intelligence for a declared purpose. Over TAXII a reader
// declares it by the API root it uses: /taxii2/seizure/ reads for the
// purpose "seizure", /taxii2/interdiction/ for "interdiction". The discovery
// resource lists the roots the caller may use and names no default, so a
// client must choose. Every objects, manifest and versions call is decided
// for the root's purpose, and every page is decided again: a right withdrawn
// between two pages hides the objects of the second.
//
// # Collections
//
// A collection is a view onto the exchange's holdings, as the Backend
// defines them (for instance one per originating agency or task force). Its
// can_read and can_write are the caller's. A collection never widens what a
// reader may see: an object the policy withholds from the caller for the
// root's purpose is absent from every list, manifest, versions list, count,
// header and next token, and is 404 when asked for by id, exactly like an
// object that does not exist.
//
// # Protocol decisions
//
//   - Media type: responses are application/taxii+json;version=2.1. The
//     Accept header may name it, application/taxii+json without a version
//     (the latest, 2.1), application/* or */*, or be absent; anything else
//     is 406. A POST must carry Content-Type application/taxii+json with
//     version 2.1 or none (415 otherwise).
//   - Query parameters: each endpoint takes exactly the parameters the spec
//     lists for it; any other parameter, or one given twice, is 400. Lists
//     are comma-separated and ORed; different parameters are ANDed. limit
//     must be a positive integer; above MaxLimit it is lowered to MaxLimit.
//     DELETE without match[version] deletes every version (the spec wants
//     the object 404 afterwards); match[version] narrows it.
//   - Paging is in date-added order. next is an opaque token signed with
//     HMAC-SHA256 and bound to the user, API root, collection, endpoint,
//     object and query (filters and limit); reusing it elsewhere, or
//     altering it, is 400 with a message that says which.
//   - A POST body that is not an envelope (not JSON, not a JSON object, or
//     objects not an array) is 400; an envelope without objects, or with an
//     item that is not a JSON object, is 422; a body over
//     max_content_length is 413. Objects that fail validation are failures
//     in the status resource (202), not a refusal of the request.
//   - Errors are TAXII error resources: title, description, error_id (the
//     request id, also in X-Request-Id), error_code (enlace's code) and
//     http_status. An internal error's detail is logged, never sent.
//   - Timestamps are UTC with exactly six fractional digits.
package taxii
