#!/usr/bin/env bash
# A user's own lexicon (~/.config/kazspeak/lexicon.tsv or $XDG_CONFIG_HOME, and
# --lexicon FILE) adds to and overrides the shipped one without rebuilding;
# literal [[ in text never becomes phonemes.
source "$(dirname "$0")/lib.sh"
export XDG_CONFIG_HOME="$T/xdg"
mkdir -p "$XDG_CONFIG_HOME/kazspeak"
printf '@kind\tpronunciations\nсынақ\tсынақтар\t-\n' >"$XDG_CONFIG_HOME/kazspeak/lexicon.tsv"
out=$(echo "Бұл сынақ" | "$KS" --normalize)
ok; [ "$out" = "Бұл сынақтар" ] || fail "user lexicon from XDG_CONFIG_HOME not applied: $out"
out=$(echo "Бұл сынақ" | "$KS" --normalize --no-user-lexicon)
ok; [ "$out" = "Бұл сынақ" ] || fail "--no-user-lexicon: $out"
# HOME fallback
unset XDG_CONFIG_HOME
mkdir -p "$T/home/.config/kazspeak"
printf '@kind\tpronunciations\nкітап\t[[kIt'"'"'Ap]]\t-\n' >"$T/home/.config/kazspeak/lexicon.tsv"
out=$(echo "кітап" | HOME="$T/home" "$KS" --normalize)
ok; [ "$out" = "[[kIt'Ap]]" ] || fail "HOME lexicon with phonemes: $out"
# --lexicon overrides a shipped acronym and adds a new one
printf '@kind\tacronyms\nҚР\tҚырғыз Республикасы\t-\tposs\ttest\nҚЖЗ\tқұрылыс жұмыстары заңы\t-\t-\ttest\n' >"$T/mine.tsv"
out=$(echo "ҚР-да ҚЖЗ бар" | HOME="$T/none" "$KS" --normalize --lexicon "$T/mine.tsv")
ok; [ "$out" = "Қырғыз Республикасында құрылыс жұмыстары заңы бар" ] || fail "--lexicon override: $out"
out=$(echo "ҚР-да" | HOME="$T/none" "$KS" --normalize)
ok; [ "$out" = "Қазақстан Республикасында" ] || fail "shipped ҚР changed: $out"
# [[ in text is never phonemes
out=$(echo "мәтін [[s'&l&m]] соңы" | HOME="$T/none" "$KS" --normalize)
ok; case "$out" in *"[["*) fail "literal [[ survived: $out";; esac
# A broken user lexicon: file:line, exit 1
printf '@kind\tacronyms\nҚР\tonly two columns\n' >"$T/broken.tsv"
expect_fail "broken --lexicon" 1 "broken.tsv:2" -- "$KS" --normalize --lexicon "$T/broken.tsv"
finish
