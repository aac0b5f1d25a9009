// Command mksample writes the small sample inputs in testdata/sample: a
// WARC file of a few HTML pages written for this project (with their
// request records, a warcinfo record and one non-HTML response) and a
// JSONL file of a few documents. The output is deterministic: fixed dates,
// record ids derived from the content, gzip headers without a time.
//
//	go run ./internal/tools/mksample -out testdata/sample
package main

import (
	"bytes"
	"compress/gzip"
	"crypto/sha1"
	"encoding/base32"
	"encoding/json"
	"flag"
	"fmt"
	"log"
	"os"
	"path/filepath"
	"strings"
)

// page is one captured HTML page.
type page struct {
	url, charset, title string
	paras               []string
	latin1              bool // encode the body as ISO-8859-1
}

var pages = []page{
	{url: "http://bakery.example.org/sourdough", charset: "utf-8", title: "Keeping a sourdough starter",
		paras: []string{
			"A sourdough starter is a paste of flour and water in which wild yeast and lactic acid bacteria live together. Fed every day, it rises and falls like a slow tide.",
			"Keep the starter in a glass jar at room temperature. Discard half of it each morning, then stir in equal weights of flour and water. After a week the smell turns from sharp to pleasantly sour.",
			"When the starter doubles within six hours of a feeding, it is ready to leaven a loaf. Bakers call this moment the peak, and bread made at the peak has the most open crumb.",
		}},
	{url: "http://garden.example.org/tomatoes", charset: "utf-8", title: "Growing tomatoes on a balcony",
		paras: []string{
			"Tomatoes need at least six hours of direct sun, a deep pot and steady watering. A balcony facing south gives them all three with little effort.",
			"Choose a compact variety and a pot of twenty litres or more. Water in the morning so the leaves dry before night, which keeps fungal disease away.",
			"Pinch out the side shoots once a week. The plant then puts its strength into fruit instead of leaves, and the first trusses ripen by midsummer.",
		}},
	{url: "http://cafe.example.org/menu", charset: "iso-8859-1", latin1: true, title: "Café du Port — la carte",
		paras: []string{
			"Le café du port sert un petit déjeuner complet tous les matins à partir de sept heures, avec du pain frais et de la confiture maison.",
			"À midi, la cuisine propose une soupe du jour, une salade niçoise et un plat mijoté. Les desserts changent selon la saison et le marché.",
		}},
	{url: "http://trains.example.org/timetable-notes", charset: "utf-8", title: "Reading a railway timetable",
		paras: []string{
			"A railway timetable lists stations down the side and trains across the top. Read down a column to follow one train from its origin to its terminus.",
			"Small letters beside a time are footnotes: a train that runs only on weekdays, or one that stops only to let passengers off. The key at the bottom of the page explains each letter.",
			"Connections are easiest to find when both timetables use the same twenty-four hour clock. Allow at least five minutes to change platforms at a large station.",
		}},
}

// docs are the JSONL sample documents: English prose long enough for
// the default quality rules, one German document (dropped by the default
// English-only language step) and one page of navigation boilerplate
// (dropped by the quality rules).
var docs = []map[string]any{
	{"id": "sample-1", "source": "sample", "metadata": map[string]any{"url": "http://bees.example.org/dance"}, "text": "" +
		"Honey bees tell each other where flowers are with a waggle dance. A forager that has found a good patch returns to the hive and runs a short straight line on the comb while shaking her body.\n" +
		"The angle of that run against the vertical matches the angle of the food source against the sun. The length of the run says how far away the flowers are, and the other bees learn both from following the dancer in the dark.\n" +
		"Scientists first decoded the dance in the middle of the last century. It is still one of the best studied examples of symbolic communication in animals."},
	{"id": "sample-2", "metadata": map[string]any{"url": "http://bikes.example.org/chains"}, "text": "" +
		"A bicycle chain wears slowly as its pins and rollers lose metal. The chain then grows a little longer, and a long chain no longer sits well on the teeth of the sprockets.\n" +
		"Measuring the chain every few months takes only a minute with a simple gauge. Replacing it in time saves the cassette and the chainrings, which cost far more than a new chain.\n" +
		"Keep the chain clean and lightly oiled, and wipe off the extra oil so that it does not collect grit. A quiet chain is usually a healthy one."},
	{"id": "sample-3", "source": "sample", "text": "" +
		"Lighthouses once burned whale oil, then kerosene, and now most of them run on electricity. Each light has its own pattern of flashes so that sailors can tell one stretch of coast from another at night.\n" +
		"The pattern is printed on nautical charts next to the symbol of the light. A navigator counts the flashes and the dark intervals with a watch and then looks the pattern up.\n" +
		"Many lighthouses no longer have a keeper. The lamps are checked from a distance, and the old keepers' houses have become museums and holiday homes."},
	{"id": "sample-4", "text": "Der Rhein entspringt in den Alpen und mündet in die Nordsee. Auf seinem Weg fließt er durch die Schweiz, Deutschland und die Niederlande. Schiffe bringen Kohle, Getreide und Container den Fluss hinauf und hinunter."},
	{"id": "sample-5", "source": "sample", "added": "2024-03-01T00:00:00Z", "text": "Home | Shop | Cart | Log in\nHome\nShop\nCart\nLog in\nFollow us\nAll rights reserved"},
}

const warcDate = "2024-03-01T12:00:00Z"

func main() {
	out := flag.String("out", "testdata/sample", "output folder")
	flag.Parse()
	if err := os.MkdirAll(*out, 0o755); err != nil {
		log.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(*out, "sample.warc.gz"), buildWARC(), 0o644); err != nil {
		log.Fatal(err)
	}
	var jl bytes.Buffer
	for _, d := range docs {
		b, err := json.Marshal(d)
		if err != nil {
			log.Fatal(err)
		}
		jl.Write(b)
		jl.WriteByte('\n')
	}
	if err := os.WriteFile(filepath.Join(*out, "sample.jsonl"), jl.Bytes(), 0o644); err != nil {
		log.Fatal(err)
	}
}

func html(p page) []byte {
	var b strings.Builder
	fmt.Fprintf(&b, "<!DOCTYPE html>\n<html><head><meta charset=\"%s\"><title>%s</title></head>\n<body>\n", p.charset, p.title)
	b.WriteString("<nav><a href=\"/\">Home</a> | <a href=\"/about\">About</a> | <a href=\"/contact\">Contact</a></nav>\n")
	fmt.Fprintf(&b, "<article>\n<h1>%s</h1>\n", p.title)
	for _, para := range p.paras {
		fmt.Fprintf(&b, "<p>%s</p>\n", para)
	}
	b.WriteString("</article>\n<footer>Written for the winnow sample. No rights reserved.</footer>\n</body></html>\n")
	s := b.String()
	if !p.latin1 {
		return []byte(s)
	}
	out := make([]byte, 0, len(s))
	for _, r := range s {
		if r > 0xff {
			r = '-' // the em dash has no ISO-8859-1 code
		}
		out = append(out, byte(r))
	}
	return out
}

func buildWARC() []byte {
	var out bytes.Buffer
	info := "software: winnow mksample\r\nformat: WARC File Format 1.0\r\n"
	writeRecord(&out, "warcinfo", "", "application/warc-fields", []byte(info), nil)
	for _, p := range pages {
		req := fmt.Sprintf("GET %s HTTP/1.1\r\nHost: %s\r\nUser-Agent: winnow-sample\r\n\r\n",
			pathOf(p.url), hostOf(p.url))
		writeRecord(&out, "request", p.url, "application/http; msgtype=request", []byte(req), nil)
		body := html(p)
		hdr := fmt.Sprintf("HTTP/1.1 200 OK\r\nContent-Type: text/html; charset=%s\r\nContent-Length: %d\r\n\r\n", p.charset, len(body))
		writeRecord(&out, "response", p.url, "application/http; msgtype=response", []byte(hdr), body)
	}
	// A non-HTML response: passed over by readers that keep HTML only.
	css := []byte("body { font-family: serif; }\n")
	hdr := fmt.Sprintf("HTTP/1.1 200 OK\r\nContent-Type: text/css\r\nContent-Length: %d\r\n\r\n", len(css))
	writeRecord(&out, "response", "http://bakery.example.org/style.css", "application/http; msgtype=response", []byte(hdr), css)
	return out.Bytes()
}

func hostOf(u string) string {
	rest := strings.TrimPrefix(u, "http://")
	h, _, _ := strings.Cut(rest, "/")
	return h
}

func pathOf(u string) string {
	rest := strings.TrimPrefix(u, "http://")
	_, p, _ := strings.Cut(rest, "/")
	return "/" + p
}

func digest(b []byte) string {
	s := sha1.Sum(b)
	return "sha1:" + base32.StdEncoding.EncodeToString(s[:])
}

// writeRecord appends one record as its own gzip member. block is head
// followed by payload; the payload digest covers payload only.
func writeRecord(out *bytes.Buffer, typ, uri, contentType string, head, payload []byte) {
	block := append(append([]byte{}, head...), payload...)
	id := sha1.Sum(append([]byte(typ+uri), block...))
	var h strings.Builder
	h.WriteString("WARC/1.0\r\n")
	fmt.Fprintf(&h, "WARC-Type: %s\r\n", typ)
	fmt.Fprintf(&h, "WARC-Date: %s\r\n", warcDate)
	fmt.Fprintf(&h, "WARC-Record-ID: <urn:uuid:%x-%x-%x-%x-%x>\r\n", id[0:4], id[4:6], id[6:8], id[8:10], id[10:16])
	if uri != "" {
		fmt.Fprintf(&h, "WARC-Target-URI: %s\r\n", uri)
	}
	if typ == "warcinfo" {
		h.WriteString("WARC-Filename: sample.warc.gz\r\n")
	}
	fmt.Fprintf(&h, "Content-Type: %s\r\n", contentType)
	if payload != nil {
		fmt.Fprintf(&h, "WARC-Payload-Digest: %s\r\n", digest(payload))
	}
	fmt.Fprintf(&h, "WARC-Block-Digest: %s\r\n", digest(block))
	fmt.Fprintf(&h, "Content-Length: %d\r\n\r\n", len(block))

	zw, _ := gzip.NewWriterLevel(out, gzip.BestCompression)
	zw.Write([]byte(h.String()))
	zw.Write(block)
	zw.Write([]byte("\r\n\r\n"))
	if err := zw.Close(); err != nil {
		log.Fatal(err)
	}
}
