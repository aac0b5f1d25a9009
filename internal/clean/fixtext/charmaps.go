package fixtext

import (
	"golang.org/x/text/encoding/charmap"
)

// codec is one single-byte encoding as a pair of tables: the character
// each byte decodes to, and the byte each character encodes to.
type codec struct {
	name   string
	decode [256]rune
	encode map[rune]byte
}

// candidates are the single-byte encodings that UTF-8 is most often
// wrongly decoded with, in the order they are tried. The order and the set
// follow ftfy's CHARMAP_ENCODINGS (rspeer/python-ftfy, ftfy/chardata.py).
//
// The "sloppy" Windows code pages decode the bytes that the code page leaves
// undefined as the Latin-1 character of the same value (so every byte
// round-trips), and decode byte 0x1A as U+FFFD: a replacement character in
// mojibake stands for one lost byte, and 0x1A marks where it was.
var candidates = []*codec{
	latin1(),
	sloppy("sloppy-windows-1252", charmap.Windows1252),
	sloppy("sloppy-windows-1251", charmap.Windows1251),
	sloppy("sloppy-windows-1250", charmap.Windows1250),
	sloppy("sloppy-windows-1253", charmap.Windows1253),
	sloppy("sloppy-windows-1254", charmap.Windows1254),
	sloppy("sloppy-windows-1257", charmap.Windows1257),
	strict("iso-8859-2", charmap.ISO8859_2),
	strict("macroman", charmap.Macintosh),
	strict("cp437", charmap.CodePage437),
}

// windows1252 is the sloppy Windows-1252 codec, used to reinterpret C1
// control characters.
var windows1252 = candidates[1]

func latin1() *codec {
	c := &codec{name: "latin-1"}
	for b := range 256 {
		c.decode[b] = rune(b)
	}
	c.build()
	return c
}

func sloppy(name string, m *charmap.Charmap) *codec {
	c := strict(name, m)
	for b := 0x80; b < 0x100; b++ {
		if c.decode[b] == 0xFFFD {
			c.decode[b] = rune(b)
		}
	}
	c.decode[0x1A] = 0xFFFD
	c.build()
	return c
}

func strict(name string, m *charmap.Charmap) *codec {
	c := &codec{name: name}
	for b := range 256 {
		if b < 0x80 {
			c.decode[b] = rune(b)
		} else {
			c.decode[b] = m.DecodeByte(byte(b))
			if c.decode[b] == 0xFFFD && b < 0xa0 {
				c.decode[b] = rune(b) // ISO 8859 C1 range, as Python decodes it
			}
		}
	}
	c.build()
	return c
}

func (c *codec) build() {
	c.encode = make(map[rune]byte, 256)
	for b := 255; b >= 0; b-- {
		r := c.decode[b]
		if r == 0xFFFD && b != 0x1A {
			continue // undefined in a strict code page
		}
		c.encode[r] = byte(b)
	}
}

// encodeString encodes s with c; ok is false when some character of s has
// no byte in c.
func (c *codec) encodeString(s string, buf []byte) ([]byte, bool) {
	buf = buf[:0]
	for _, r := range s {
		if r < 0x80 && r != 0x1A {
			buf = append(buf, byte(r))
			continue
		}
		b, ok := c.encode[r]
		if !ok {
			return buf, false
		}
		buf = append(buf, b)
	}
	return buf, true
}

// possible reports whether s could have come from decoding bytes with c.
func (c *codec) possible(s string) bool {
	for _, r := range s {
		if r < 0x80 && r != 0x1A {
			continue
		}
		if _, ok := c.encode[r]; !ok {
			return false
		}
	}
	return true
}

// charsOf returns the characters that bytes lo..hi decode to in the Latin-1
// and Windows code pages, for building UTF-8 detection classes.
func charsOf(lo, hi int) []rune {
	seen := map[rune]bool{}
	var out []rune
	for _, c := range candidates[:7] {
		for b := lo; b <= hi; b++ {
			r := c.decode[b]
			if r == 0xFFFD || seen[r] {
				continue
			}
			seen[r] = true
			out = append(out, r)
		}
	}
	return out
}
