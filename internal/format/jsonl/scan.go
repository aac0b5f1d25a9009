package jsonl

import (
	"encoding/json"
	"errors"
	"fmt"
	"unicode/utf16"
	"unicode/utf8"
)

// A JSON line is split into its top-level members in one pass, instead of
// json.Unmarshal into map[string]json.RawMessage, which scans every byte
// twice (validation, then decoding) and a string value a third and fourth
// time when it is decoded again. Text is most of every line, so string
// values are scanned here once to find their end and once to unescape;
// other values (metadata, attributes, numbers) are checked with
// json.Valid. The differential fuzz test holds this to encoding/json's
// verdict on every input.

// member is one top-level key and its raw value, which aliases the line.
type member struct {
	key string
	val []byte
}

// syntaxError is malformed JSON at a byte of the line.
type syntaxError struct {
	At   int
	What string
}

func (e *syntaxError) Error() string {
	return fmt.Sprintf("jsonl: malformed json: %s at byte %d", e.What, e.At)
}

func syntaxErr(at int, what string) error { return &syntaxError{At: at, What: what} }

// splitObject returns the members of the JSON object in line. The line
// must be exactly one object with optional white space around it.
func splitObject(line []byte, members []member, scratch []byte) ([]member, []byte, error) {
	i := skipWS(line, 0)
	if i >= len(line) || line[i] != '{' {
		if i < len(line) && !isValueStart(line[i]) {
			return nil, scratch, syntaxErr(i, "invalid character")
		}
		if i < len(line) && json.Valid(line) {
			return nil, scratch, errNotObject
		}
		return nil, scratch, syntaxErr(i, "expected an object")
	}
	i = skipWS(line, i+1)
	if i < len(line) && line[i] == '}' {
		i++
	} else {
		for {
			if i >= len(line) || line[i] != '"' {
				return nil, scratch, syntaxErr(i, "expected a key")
			}
			end, esc, err := scanString(line, i)
			if err != nil {
				return nil, scratch, err
			}
			var key string
			if esc {
				scratch, err = unquote(scratch[:0], line[i:end])
				if err != nil {
					return nil, scratch, err
				}
				key = string(scratch)
			} else {
				key = string(line[i+1 : end-1])
			}
			i = skipWS(line, end)
			if i >= len(line) || line[i] != ':' {
				return nil, scratch, syntaxErr(i, "expected ':'")
			}
			i = skipWS(line, i+1)
			start := i
			if i >= len(line) {
				return nil, scratch, syntaxErr(i, "expected a value")
			}
			if line[i] == '"' {
				end, _, err = scanString(line, i)
			} else {
				end, err = scanOther(line, i)
			}
			if err != nil {
				return nil, scratch, err
			}
			members = append(members, member{key: key, val: line[start:end]})
			i = skipWS(line, end)
			if i >= len(line) {
				return nil, scratch, syntaxErr(i, "unexpected end of line")
			}
			if line[i] == '}' {
				i++
				break
			}
			if line[i] != ',' {
				return nil, scratch, syntaxErr(i, "expected ',' or '}'")
			}
			i = skipWS(line, i+1)
		}
	}
	if i = skipWS(line, i); i != len(line) {
		return nil, scratch, syntaxErr(i, "data after the object")
	}
	return members, scratch, nil
}

var errNotObject = errors.New("jsonl: line is not a json object")

func isValueStart(c byte) bool {
	switch c {
	case '"', '[', '{', '-', 't', 'f', 'n', '0', '1', '2', '3', '4', '5', '6', '7', '8', '9':
		return true
	}
	return false
}

// skipWS skips JSON white space.
func skipWS(b []byte, i int) int {
	for i < len(b) && (b[i] == ' ' || b[i] == '\t' || b[i] == '\n' || b[i] == '\r') {
		i++
	}
	return i
}

// scanString checks the string literal starting at b[i] == '"' and
// returns the index after its closing quote and whether it has escapes.
func scanString(b []byte, i int) (end int, esc bool, err error) {
	for j := i + 1; j < len(b); j++ {
		switch c := b[j]; {
		case c == '"':
			return j + 1, esc, nil
		case c == '\\':
			esc = true
			if j+1 >= len(b) {
				return 0, false, syntaxErr(j, "unfinished escape")
			}
			switch b[j+1] {
			case '"', '\\', '/', 'b', 'f', 'n', 'r', 't':
				j++
			case 'u':
				if _, ok := hex4(b[j+2:]); !ok {
					return 0, false, syntaxErr(j, "invalid \\u escape")
				}
				j += 5
			default:
				return 0, false, syntaxErr(j, "invalid escape")
			}
		case c < 0x20:
			return 0, false, syntaxErr(j, "control character in string")
		}
	}
	return 0, false, syntaxErr(len(b), "unterminated string")
}

// scanOther finds the end of a non-string value (object, array, number,
// literal) starting at b[i] and validates it with json.Valid.
func scanOther(b []byte, i int) (int, error) {
	j := i
	switch b[i] {
	case '{', '[':
		depth := 0
	loop:
		for ; j < len(b); j++ {
			switch b[j] {
			case '{', '[':
				depth++
			case '}', ']':
				depth--
				if depth == 0 {
					j++
					break loop
				}
			case '"':
				end, _, err := scanString(b, j)
				if err != nil {
					return 0, err
				}
				j = end - 1
			}
		}
		if depth != 0 {
			return 0, syntaxErr(len(b), "unterminated value")
		}
	default:
		for j < len(b) && b[j] != ',' && b[j] != '}' && b[j] != ' ' && b[j] != '\t' && b[j] != '\r' && b[j] != '\n' {
			j++
		}
	}
	if !json.Valid(b[i:j]) {
		return 0, syntaxErr(i, "invalid value")
	}
	return j, nil
}

// unquote appends the decoded string literal q (quotes included, already
// checked by scanString) to dst. An unpaired UTF-16 surrogate escape is
// an error: encoding/json would silently turn it into U+FFFD.
func unquote(dst, q []byte) ([]byte, error) {
	q = q[1 : len(q)-1]
	for len(q) > 0 {
		k := 0
		for k < len(q) && q[k] != '\\' {
			k++
		}
		dst = append(dst, q[:k]...)
		if k == len(q) {
			break
		}
		q = q[k:] // q[0] == '\\'
		switch c := q[1]; c {
		case 'u':
			r, _ := hex4(q[2:])
			n := 6
			switch {
			case utf16.IsSurrogate(r) && r < 0xdc00:
				if len(q) >= 12 && q[6] == '\\' && q[7] == 'u' {
					if lo, ok := hex4(q[8:]); ok && lo >= 0xdc00 && lo < 0xe000 {
						r = utf16.DecodeRune(r, lo)
						n = 12
						break
					}
				}
				return dst, errSurrogate
			case utf16.IsSurrogate(r):
				return dst, errSurrogate
			}
			dst = utf8.AppendRune(dst, r)
			q = q[n:]
			continue
		case 'b':
			dst = append(dst, '\b')
		case 'f':
			dst = append(dst, '\f')
		case 'n':
			dst = append(dst, '\n')
		case 'r':
			dst = append(dst, '\r')
		case 't':
			dst = append(dst, '\t')
		default: // '"', '\\', '/'
			dst = append(dst, c)
		}
		q = q[2:]
	}
	return dst, nil
}

var errSurrogate = errors.New("unpaired utf-16 surrogate escape")
