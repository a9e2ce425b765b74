#!/usr/bin/env bash
# Tags (--title --artist --album --date --comment) in every format, read back
# with ffprobe (and soxi -a for FLAC/Vorbis/Opus comments); batch titles
# default to each text's first line, else its file name.
source "$(dirname "$0")/../cli/lib.sh"
command -v ffprobe >/dev/null || { echo "ffprobe not installed (Debian package ffmpeg)" >&2; exit 77; }
TITLE="Тәуелсіздік күні — 16 желтоқсан"
TAGS=(--title "$TITLE" --artist "Қазақ радиосы" --album "Жаңалықтар 2024" --date 2024-12-16 --comment "Сынақ: «кавычки», 100%")

tag() { # tag FILE NAME: the tag's value as ffprobe reads it (format or stream tags, any case)
  ffprobe -v error -show_entries format_tags:stream_tags -of default=noprint_wrappers=1 "$1" 2>/dev/null |
    awk -v n="$2" 'BEGIN{IGNORECASE=1} { k = substr($0, 1, index($0, "=") - 1); sub(/^TAG:/, "", k);
      if (tolower(k) == tolower(n)) { print substr($0, index($0, "=") + 1); exit } }'
}

for ext in wav flac ogg mp3 opus; do
  "$KS" -q -w "$T/t.$ext" "${TAGS[@]}" "Сәлем, әлем!" 2>"$T/err" || { fail "$ext: $(cat "$T/err")"; continue; }
  ok; [ "$(tag "$T/t.$ext" title)" = "$TITLE" ] || fail "$ext: title '$(tag "$T/t.$ext" title)'"
  ok; [ "$(tag "$T/t.$ext" artist)" = "Қазақ радиосы" ] || fail "$ext: artist '$(tag "$T/t.$ext" artist)'"
  ok; [ "$(tag "$T/t.$ext" album)" = "Жаңалықтар 2024" ] || fail "$ext: album '$(tag "$T/t.$ext" album)'"
  ok; [ "$(tag "$T/t.$ext" date)" = "2024-12-16" ] || fail "$ext: date '$(tag "$T/t.$ext" date)'"
  ok; [ "$(tag "$T/t.$ext" comment)" = "Сынақ: «кавычки», 100%" ] || fail "$ext: comment '$(tag "$T/t.$ext" comment)'"
done
# sox reads the comments of FLAC and Ogg Vorbis itself
if command -v soxi >/dev/null; then
  for ext in flac ogg; do
    ok; soxi -a "$T/t.$ext" 2>/dev/null | grep -qix "title=$TITLE" || fail "soxi -a $ext: $(soxi -a "$T/t.$ext" 2>&1 | head -3)"
  done
fi
# MP3: an ID3v2.4 tag first (UTF-8 frames), no ID3v1 (Latin-1 only)
ok; [ "$(head -c 4 "$T/t.mp3" | od -An -tx1 | tr -d ' \n')" = "49443304" ] || fail "mp3 does not start with ID3v2.4"
ok; [ "$(tail -c 128 "$T/t.mp3" | head -c 3)" != "TAG" ] || fail "mp3 has an ID3v1 tag"
# Without tags: no ID3 tag at all, plain frames
"$KS" -q -w "$T/n.mp3" "Сәлем" || fail "untagged mp3"
ok; [ "$(head -c 3 "$T/n.mp3")" != "ID3" ] || fail "untagged mp3 has an ID3 tag"

# Tags belong to a file
expect_fail "tags without -w" 2 "belong to an audio file" -- "$KS" --title X "сәлем"

# Batch: --title for all, else each file's first line or its name
mkdir -p "$T/in" "$T/b1" "$T/b2"
printf '\xef\xbb\xbf  Бірінші жол тақырып  \nМәтін.\n' >"$T/in/first.txt"
printf '\n\n' >"$T/in/empty-name.txt"
printf '%s\n' "$(printf 'сөз %.0s' $(seq 60))" >"$T/in/long.txt"
"$KS" --batch -q -j 2 --format ogg -o "$T/b1" "$T/in" 2>"$T/err" || fail "batch: $(cat "$T/err")"
ok; [ "$(tag "$T/b1/first.ogg" title)" = "Бірінші жол тақырып" ] || fail "batch first-line title '$(tag "$T/b1/first.ogg" title)'"
ok; [ "$(tag "$T/b1/empty-name.ogg" title)" = "empty-name" ] || fail "batch file-name title '$(tag "$T/b1/empty-name.ogg" title)'"
t=$(tag "$T/b1/long.ogg" title)
ok; [ "${#t}" -gt 10 ] && [ "$(printf %s "$t" | wc -c)" -le 127 ] && [ "${t% }" = "$t" ] || fail "batch long title '$t'"
ok; printf %s "$t" | iconv -f UTF-8 -t UTF-8 >/dev/null 2>&1 || fail "batch long title cut inside a character"
"$KS" --batch -q --format mp3 --title "Бәрі бір" --artist "A" -o "$T/b2" "$T/in/first.txt" 2>"$T/err" || fail "batch --title: $(cat "$T/err")"
ok; [ "$(tag "$T/b2/first.mp3" title)" = "Бәрі бір" ] || fail "batch --title '$(tag "$T/b2/first.mp3" title)'"
ok; [ "$(tag "$T/b2/first.mp3" artist)" = "A" ] || fail "batch --artist"
finish
