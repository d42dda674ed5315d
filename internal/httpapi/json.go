package httpapi

import (
	"encoding/json"
	"errors"
	"io"
	"mime"
	"net/http"
	"strings"

	"github.com/liveserver/liveserver/internal/domain"
)

// maxJSONBody bounds every JSON request body.
const maxJSONBody = 64 << 10

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.Header().Set("Cache-Control", "no-store")
	w.WriteHeader(status)
	if v != nil {
		json.NewEncoder(w).Encode(v)
	}
}

// decode reads one JSON object into dst, strictly: the right content type, a bounded size, no
// unknown fields, no trailing data. Each failure names what is wrong.
func decode(w http.ResponseWriter, r *http.Request, dst any) error {
	mt, _, err := mime.ParseMediaType(r.Header.Get("Content-Type"))
	if err != nil || mt != "application/json" {
		return domain.Errorf(domain.EUnsupported, "Send the request body as JSON (Content-Type: application/json).")
	}
	dec := json.NewDecoder(http.MaxBytesReader(w, r.Body, maxJSONBody))
	dec.DisallowUnknownFields()
	if err := dec.Decode(dst); err != nil {
		return jsonError(err)
	}
	if dec.More() {
		return domain.Errorf(domain.EInvalid, "The request body must hold a single JSON object.")
	}
	if _, err := dec.Token(); err != io.EOF {
		return domain.Errorf(domain.EInvalid, "The request body must hold a single JSON object.")
	}
	return nil
}

func jsonError(err error) error {
	var syntax *json.SyntaxError
	var typ *json.UnmarshalTypeError
	var tooBig *http.MaxBytesError
	switch {
	case errors.As(err, &tooBig):
		return domain.Errorf(domain.ETooLarge, "The request body is larger than %d bytes.", tooBig.Limit)
	case errors.Is(err, io.EOF):
		return domain.Errorf(domain.EInvalid, "The request body is empty; send a JSON object.")
	case errors.As(err, &syntax), errors.Is(err, io.ErrUnexpectedEOF):
		return domain.Errorf(domain.EInvalid, "The request body is not valid JSON.")
	case errors.As(err, &typ):
		if typ.Field == "" {
			return domain.Errorf(domain.EInvalid, "The request body must be a JSON object.")
		}
		return domain.Invalid(typ.Field, "The field %q must be %s.", typ.Field, jsonKind(typ.Type.Kind().String()))
	case strings.HasPrefix(err.Error(), "json: unknown field "):
		field := strings.Trim(strings.TrimPrefix(err.Error(), "json: unknown field "), `"`)
		return domain.Invalid(field, "Unknown field %q.", field)
	}
	// Other read errors (a connection reset) name addresses and are nothing the client can fix.
	return domain.Errorf(domain.EInvalid, "The request body could not be read; send it again.")
}

func jsonKind(k string) string {
	switch k {
	case "string":
		return "a string"
	case "bool":
		return "true or false"
	case "int", "int64", "int32", "float64":
		return "a number"
	}
	return "of another type"
}
