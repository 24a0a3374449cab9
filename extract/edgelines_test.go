package extract

import (
	"bufio"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"
)

// The patterns that isFurnitureLine and isTailLine replace, kept as the
// oracle their matching must agree with.

// Lines that are page furniture wherever they appear: ad labels, share
// prompts and their toasts. They are matched whole, so an article sentence
// that mentions an advertisement stays.
var furnitureLineRE = regexp.MustCompile(`(?i)^(?:advertisement|advertisements|advert|adverts|ad|ads|anzeige|werbung|publicité|publicidad|pubblicità|reklama|реклама|広告|광고|sponsored|sponsored content|promoted|` +
	`(?:story|article) continues (?:below|after)(?: (?:this )?(?:advertisement|ad))?|continue reading(?: below| the main story| after the advertisement)?|advertisement[ -–—:]+(?:continue|scroll)[a-z ]*|` +
	`link copied|copied|copy link|copy url|link kopiert|lien copié|share|share this|share this (?:article|story|post|page)|sharing is caring|share on (?:facebook|twitter|x|linkedin|whatsapp)|tweet|teilen|partager|compartir|condividi|` +
	`print|print this (?:article|page)|email|e-mail|drucken|imprimer|font size|text size|listen to (?:this )?article|audio|` +
	`skip (?:to|next) [a-z ]+|scroll to continue|click to expand|view gallery|open gallery|enlarge (?:image|this image)|zoom|close|schließen|fermer|` +
	`(?:[0-9]+ )?(?:comments?|kommentare?|commentaires?)|kommentare? schreiben|gefällt mir|like this|teilen sie dies mit|share this:|bewerten|related stories|verwandte artikel|weitere artikel(?: zum thema)?|kommentierte artikel|à lire aussi|lire aussi|kontakt|contact|aktualisiert am|zum vergrößern auf das bild klicken|(?:[0-9]+ )?min(?:ute)?s? read|lesezeit[: 0-9a-z.]*|[0-9]+ min(?:uten)? lesezeit|` +
	`loading|loading\.\.\.|please wait|bitte warten|menu|menü|search|suche|home|startseite|top|back to top|nach oben|zurück|back|zurück zur übersicht|zurück zur listenansicht|back to overview|back to list|getty images|getty|shutterstock|istock|reuters|associated press|ap photo|afp|epa|dpa|imago|picture alliance)[.:!…]*$`)

// Lines that end an article's body: what follows them is about other
// articles or the site.
var tailLineRE = regexp.MustCompile(`(?i)^(?:tags?|topics?|themen|schlagw(?:ö|oe)rter|schlagworte|stichw(?:ö|oe)rter|filed under|categories|category|kategorien?|rubriken?|mots[- ]clés|étiquettes|etiquetas|argomenti|keywords|related|related (?:articles|stories|posts|content|topics|coverage|links|news)|more (?:from|on|about|stories|news|articles)\b.*|read more|read next|see also|also read|you (?:may|might) (?:also )?like|recommended(?: for you)?|most (?:popular|read|viewed)|trending|mehr zum thema|mehr zu[mr]? .*|weitere artikel|weitere themen|das könnte sie auch interessieren|lesen sie (?:auch|mehr)|auch interessant|zum thema|à lire aussi|lire aussi|voir aussi|leer más|lee también|ver también|leggi anche|follow us.*|folgen sie uns.*|subscribe.*|sign up.*|newsletter.*|abonnieren.*|join the conversation|comments?|leave a (?:comment|reply)|kommentare?|kommentieren|commentaires?|report (?:an )?error.*|fehler gefunden.*|about the author|über den autor|sources?|quellen?|photo(?:s)?|fotos?|credits?|image credit.*|copyright.*|©.*|\(c\) .*|all rights reserved.*|alle rechte vorbehalten.*)[.:!…]*$`)

// edgeLineSeeds are every alternative of the patterns, with the variations
// the hand matching must get right: case variants outside ASCII (the Kelvin
// sign, long s, capital sharp s), counts, trailing punctuation, newlines.
var edgeLineSeeds = []string{
	"", "ad", "AD", "Ads.", "Advertisement", "ADVERTISEMENT - SCROLL TO CONTINUE", "Advertisement: Continue reading",
	"advertisement continue", "advertisementcontinue", "advertisement xcontinue now", "advertisement — scroll down",
	"advertisement – continue\n", "advertisement\ncontinue", "advertisement 123 scroll", "advertisement , continue Reading",
	"Story continues below", "Article continues after this ad", "story continues below advertisement.", "story continues",
	"Continue reading the main story", "continue reading after the advertisement!", "Share this:", "share this::", "SHARE ON X",
	"Share on Facebook…", "Listen to this article", "Skip to content", "skip to ", "skip next Item", "skip to 1",
	"12 comments", "1 Comment", "comments", "12comments", " 12 comments", "5 min read", "5 mins read", "min read",
	"12 minutes read", "3 Minuten Lesezeit", "3 min lesezeit", "min lesezeit", "Lesezeit: 4 Min.", "lesezeit", "Lesezeit 4 min…",
	"Lesezeit: 4 min ✓", "loading...", "Loading…", "Loading....", "SCHLIESSEN", "schließen", "SCHLIẞEN", "Zurück", "ZURÜCK",
	"top", "Back to top", "Back to top!!", "back to topx", "Mehr zum Thema", "mehr zum Thema: Wahlen", "Mehr zur Lage",
	"mehr zu", "mehr zu ", "mehrzu x", "More from CNN", "More from", "more fromage", "more from_x", "More on this story",
	"more about…", "More news:", "more stories\nabout", "Follow us on Twitter", "follow us\non", "Subscribe", "Sign up now!",
	"newsletter", "Copyright 2024 ACME", "© 2024", "(c) 2024", "(c)2024", "All rights reserved.", "alle Rechte vorbehalten",
	"Report an error", "report error here", "Fehler gefunden?", "image credit: AP", "Tags", "TAGS:", "tag", "Topics",
	"Schlagwörter", "schlagwoerter", "Stichwörter", "mots-clés", "Mots clés", "Étiquettes", "Related", "Related coverage",
	"You might also like", "you may like", "Recommended for you", "Most viewed", "Lesen Sie auch", "Das könnte Sie auch interessieren",
	"Über den Autor", "ÜBER DEN AUTOR", "Sources:", "Quelle", "Photos", "Fotos", "Credits", "Kommentare", "Kommentieren",
	"Leave a reply", "Join the conversation", "leer más", "LEER MÁS", "Lee también", "ver también", "leggi anche",
	"Kategorien", "Rubrik", "filed under", "Categories", "Keywords", "argomenti", "etiquetas", "weitere Themen",
	"reklama", "РЕКЛАМА", "広告", "광고", "publicité", "PUBLICITÉ", "pubblicità", "Werbung", "Anzeige", "Sponsored content",
	"link copied", "Lien copié", "Link kopiert", "copy URL", "E-Mail", "email", "Font size", "Enlarge this image",
	"Zum Vergrößern auf das Bild klicken", "Aktualisiert am", "gefällt mir", "Teilen Sie dies mit", "kommentare schreiben",
	"Weitere Artikel zum Thema", "Verwandte Artikel", "Kommentierte Artikel", "À lire aussi", "à LIRE AUSSI", "Kontakt",
	"please wait", "Bitte warten", "Menü", "MENU", "Search", "Suche", "Startseite", "nach oben", "back", "close",
	"\u212a", "\u212aommentar", "lesezeit \u212a", "skip to \u017fomething", "advertisement \u212acontinue",
	"more storie\u017f", "more storie\u017fx", "more storie\u017f_", "\u017fhare", "\u017fubscribe now", "Ad\u017f",
	"advertisement\u00a0continue", "advertisement\u2013continue", "advertisement\u2014scroll", "advertisement\u2015scroll",
	"This advertisement is not furniture.", "Share prices rose", "A sentence, with commas.", "\xff\xfe", "ad\xff",
	"Advertisement...", "ad.:!…", "ad …", "…", ".", "share this:.", "Read more", "Read next:", "see also", "also read",
	"Trending", "Most popular", "Zum Thema", "Auch interessant", "Weitere Artikel", "voir aussi", "lire aussi",
	"zurück zur Listenansicht", "Zurück zur Übersicht", "Back to list", "back to overview!", "back to listing",
	"Advert", "ADVERTS", "Sharing is caring!", "Sharing is caring 🙂", "adverse",
	"Getty Images", "GETTY", "Shutterstock.", "REUTERS", "Associated Press", "AP Photo", "AFP", "dpa", "picture alliance",
	"Reuters reported that the bridge was closed.", "Getty Images/iStock", "APhoto",
}

func TestEdgeLinesMatchPatterns(t *testing.T) {
	for _, s := range edgeLineSeeds {
		s = unquote(t, s)
		checkEdgeLine(t, s)
	}
}

// TestEdgeLinesMatchCorpus checks every short line of the corpus's
// expected texts, and of the pages' own text, against the patterns.
func TestEdgeLinesMatchCorpus(t *testing.T) {
	const dir = "../../shared/corpus/extraction"
	files, _ := filepath.Glob(filepath.Join(dir, "*", "*.json"))
	if len(files) == 0 {
		t.Skip("extraction corpus absent: ../shared is a sibling of the repository")
	}
	n := 0
	for _, f := range files {
		fh, err := os.Open(f)
		if err != nil {
			t.Fatal(err)
		}
		sc := bufio.NewScanner(fh)
		sc.Buffer(nil, 1<<24)
		for sc.Scan() {
			for _, line := range strings.Split(strings.ReplaceAll(sc.Text(), `\n`, "\n"), "\n") {
				line = trimBullets(collapse(line))
				if runeLen(line) <= maxEdgeLine {
					checkEdgeLine(t, line)
					n++
				}
			}
		}
		fh.Close()
	}
	if n == 0 {
		t.Fatal("no lines checked")
	}
}

func checkEdgeLine(t *testing.T, s string) {
	t.Helper()
	if got, want := isFurnitureLine(s), furnitureLineRE.MatchString(s); got != want {
		t.Errorf("isFurnitureLine(%q) = %v, pattern says %v", s, got, want)
	}
	if got, want := isTailLine(s), tailLineRE.MatchString(s); got != want {
		t.Errorf("isTailLine(%q) = %v, pattern says %v", s, got, want)
	}
}

func unquote(t *testing.T, s string) string {
	t.Helper()
	if !strings.Contains(s, `\`) {
		return s
	}
	u, err := strconv.Unquote(`"` + s + `"`)
	if err != nil {
		t.Fatalf("seed %q: %v", s, err)
	}
	return u
}

func FuzzEdgeLines(f *testing.F) {
	for _, s := range edgeLineSeeds {
		if u, err := strconv.Unquote(`"` + s + `"`); err == nil {
			f.Add(u)
		}
	}
	f.Fuzz(func(t *testing.T, s string) {
		checkEdgeLine(t, s)
		if s != "" {
			// Upper case reaches the folding paths from every seed.
			checkEdgeLine(t, strings.ToUpper(s))
		}
	})
}
