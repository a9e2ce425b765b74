#!/bin/bash
# --explain shows the language spans; --normalize reads Kazakh by the rule book
# unless --lang is given, and with --lang auto each span by its own rules.
# usage: test_explain.sh KAZSPEAK SRCDIR BUILDDIR
K=$1
fails=0
line='Ол «В 2020 году правительство приняло закон» деп айтты.'
out=$(echo "$line" | "$K" --no-user-lexicon --explain)
for want in '\[lang kk\] Ол «' '\[lang ru\] В 2020 году правительство приняло закон' '\[lang kk\] » деп айтты.'; do
  echo "$out" | grep -q "$want" || { echo "FAIL: --explain lacks /$want/: $out"; fails=1; }
done
got=$(echo "$line" | "$K" --no-user-lexicon --lang auto --normalize)
[ "$got" = 'Ол «В две тысячи двадцатом году правительство приняло закон» деп айтты.' ] ||
  { echo "FAIL: --lang auto --normalize: $got"; fails=1; }
got=$(echo '2020 жылы 5-сынып.' | "$K" --no-user-lexicon --lang auto --normalize)
[ "$got" = 'екі мың жиырмасыншы жылы бесінші сынып.' ] || { echo "FAIL: Kazakh with --lang auto: $got"; fails=1; }
[ $fails -eq 0 ] && echo "ok: spans in --explain; --lang auto --normalize reads each span by its language"
exit $fails
