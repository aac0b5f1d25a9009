package clean

import (
	"encoding/json"
	"os"
	"strings"
	"testing"

	"winnow/internal/testutil"
)

func loadSeed(t *testing.T) string {
	t.Helper()
	b, err := os.ReadFile(testutil.Shared(t, "seed/seed.jsonl"))
	if err != nil {
		t.Fatal(err)
	}
	var d struct {
		Text string `json:"text"`
	}
	if err := json.Unmarshal(b, &d); err != nil {
		t.Fatal(err)
	}
	return d.Text
}

// TestSeed checks the seed document's assertions (../shared/seed/README.md).
func TestSeed(t *testing.T) {
	res := Clean(loadSeed(t), DefaultConfig())
	if res.Drop != nil {
		t.Fatalf("seed dropped: %+v", *res.Drop)
	}
	out := res.Text
	for _, bad := range []string{"var script", "setNptTechAdblockerCookie", "document.createElement", "function(", "\uFFFD", "•",
		"[13]", "[3]", "[16]", "[2]", "[7]", "[9]", "are consistently A total", "how and why"} {
		if strings.Contains(out, bad) {
			t.Errorf("output still contains %q", bad)
		}
	}
	if citationRE.MatchString(out) {
		t.Errorf("output still contains a citation marker: %q", citationRE.FindString(out))
	}
	// Prose sentences that must survive verbatim: the three README names,
	// then every other real sentence of the seed.
	keep := []string{
		"Russia does not recognize the independence of Serbia’s former province.",
		"Visa requirements for Kosovan citizens are administrative entry restrictions by the authorities of other states placed on citizens of Republic of Kosovo.As of 02 July 2019, Kosovan citizens had visa-free or visa on arrival access to 41 countries and territories, ranking the Kosovan passport 100th in terms of travel freedom according to the Henley Passport Index.",
		"“In reply to a possible offer (to Serbia) to recognise Kosovo and that Kosovo enters the UN, and we receive nothing in return, except EU membership, our answer would be ‘no’,” Vucic said.",
		"We support our Serbian friends who are now leading difficult and challenging EU-mediated talks on Kosovo in Brussels Putin said, adding that Russia will help Serbia to fund its branch of the South Stream gas pipeline transporting Russian gas to Europe.",
		"They don't have uniforms yet, but they're armed with modern handguns.",
		"Why doesn't Russia recognize Kosovo while using the Kosovo precedent to justify annexing Crimea?",
		"The United Nations is strictly neutral on whether or not Kosovo has independence.",
		"Because the issues are quite different.",
		"Russia will block Kosovo's membership of the United Nations.",
		"Russia is in touch with Belgrade over the escalation of situation between Serbia and Kosovo, Russian Foreign Ministry's Fourth European Department Director Alexander Botsan-Kharchenko said 08 February 2017.",
		"Russian ambassador to Serbia Aleksandr Konuzin told a Belgrade daily in June 2009 that \"Russia's stand is rather simple — we are ready to back whatever position Serbia takes (with regards to Kosovo).",
		"To recognise one, but not the other is not without hypocrisy, though the same accusation could be levelled at the EU for recognising Kosovo but not Russian Crimea.",
		"As for the purposes and timelines of this visit, it is not my job as a diplomat to evaluate them.",
		"Kosovo doesn't have an ISO country code because its declaration of independence from Serbia is still not universally recognized.",
		"It is not true to say that Russia now recognises all declarations of independence, as the people of Chechnya will remember.",
		"Russian President Vladimir Putin described the recognition of Kosovo's independence by several major world powers as \"a terrible precedent, which will de facto blow apart the whole system of international relations, developed not over decades, but over centuries\", and that \"they have not thought through the results of what they are doing.",
		"That dependency gives Russia a nontrivial degree of influence, both in the region and within Serbia itself.",
		"A total of 142 delegations voted, while another 29 abstained.",
		"The Albanians in Macedonia are already demanding a level of autonomy that is a clear step toward independence.",
		"During the debate before the ICJ in December 2009, Russia said that general international law prevents Kosovo from declaring independence and that the people of Kosovo do not enjoy a right to self-determination.",
		"We also believe that one of the preconditions for resolving the issue is the continued attention of the UN Security Council on Kosovo.",
		"Foreign Minister Sergey Lavrov, in an interview with a Russian newspaper, also linked the demands for greater autonomy by ethnic Albanians in Macedonia with the Kosovo issue.",
		"Russia refused to recognize the legitimacy of independence of Kosovo because Russia recognized the Constitution of Serbia, according to which Kosovo was an integral part of Serbia.",
		"The Prime Minister of Kosovo, Hashim Thaçi, opposed this plan, stating that Russia could only send aid if it were agreed and coordinated with Government in Pristina.",
		"The silence coming out of Brussels is alarming.",
		"Our support for Serbia's course of action in defending its sovereignty and territorial integrity also stays firm\".",
		"International reaction was mixed, and the world community continues to be divided on the issue of the international recognition of Kosovo.",
		"While the number of Russian citizens visiting Kosovo increases, Russia’s current role in Kosovo is best indicated by the context of northern Kosovo.",
		"\"Kosovo, still being under transitional UN administration (UNMIK), cannot be viewed as a state possessing juridical personality and, therefore, it cannot strive for a membership in an international organization,\" the Russian ministry said in a statement.",
		"On 19 February 2009, Hashim Thaçi announced that Russia is planning the recognition of Kosovo.",
	}
	for _, s := range keep {
		if !strings.Contains(out, s) {
			t.Errorf("prose sentence lost: %q", s)
		}
	}
	if !strings.HasPrefix(out, "We support our Serbian friends") {
		t.Errorf("output starts %q", out[:min(len(out), 40)])
	}
	if testing.Verbose() {
		t.Logf("output:\n%s", out)
		for _, e := range res.Edits {
			t.Logf("%s [%d,%d) %q", e.Rule, e.Start, e.End, e.Text)
		}
	}
}
