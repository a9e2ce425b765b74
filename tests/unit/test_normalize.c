/* test_normalize.c - each normalizer rule on its own (with the shipped lexicon),
 * robustness (invalid UTF-8, NUL, "[[", huge inputs), the explain hook, and the
 * fuzz regression inputs of tests/fuzz/regress/. */
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "check.h"
#include "kazspeak/kazspeak.h"
#include "normalize.h"

static ks_normalizer *nz;
static ks_buf out;

static const char *norm(const char *s)
{
    ks_error err;
    ks_buf_reset(&out);
    if (ks_normalize(nz, s, strlen(s), &out, NULL, &err) != KS_OK)
        return "(error)";
    return out.data ? out.data : "";
}

#define N(in, want) CHECK_STR(norm(in), want)

struct ex {
    char log[2048];
    size_t len;
    int calls;
};

static void explain_cb(const char *span, size_t span_len, const char *rule, const char *words, size_t words_len,
                       void *user)
{
    struct ex *e = user;
    e->calls++;
    int r = snprintf(e->log + e->len, sizeof e->log - e->len, "[%s] %.*s -> %.*s\n", rule, (int)span_len, span,
                     (int)words_len, words);
    if (r > 0 && e->len + (size_t)r < sizeof e->log)
        e->len += (size_t)r;
}

static int valid_utf8(const char *s, size_t n)
{
    const unsigned char *u = (const unsigned char *)s;
    for (size_t i = 0; i < n;) {
        unsigned char c = u[i];
        size_t l = c < 0x80 ? 1 : (c >= 0xC2 && c <= 0xDF) ? 2 : (c >= 0xE0 && c <= 0xEF) ? 3 : (c >= 0xF0 && c <= 0xF4) ? 4 : 0;
        if (!l || i + l > n)
            return 0;
        for (size_t k = 1; k < l; k++)
            if ((u[i + k] & 0xC0) != 0x80)
                return 0;
        i += l;
    }
    return 1;
}

static void replay_regressions(void)
{
    const char *dir = KS_SOURCE_DIR "/tests/fuzz/regress";
    DIR *d = opendir(dir);
    if (!d)
        return;
    struct dirent *de;
    int n = 0;
    while ((de = readdir(d)) != NULL) {
        if (de->d_name[0] == '.')
            continue;
        char path[1024];
        snprintf(path, sizeof path, "%s/%s", dir, de->d_name);
        FILE *f = fopen(path, "rb");
        if (!f)
            continue;
        static char data[1 << 16];
        size_t len = fread(data, 1, sizeof data, f);
        fclose(f);
        if (len == 0)
            continue;
        n++;
        ks_error err;
        size_t bad;
        ks_buf_reset(&out);
        /* the normalizer mode (first byte % 3 == 0) and the splitter mode both must hold */
        CHECK(ks_normalize(nz, data + 1, len - 1, &out, &bad, &err) == KS_OK);
        CHECK(valid_utf8(out.data ? out.data : "", out.len));
        CHECK(!out.data || !strstr(out.data, "[["));
        size_t off = 0, max_len = (size_t)((unsigned char)data[0] >> 2) * 4 + 1;
        while (off < len - 1) {
            size_t r = ks_sentence_split(data + 1 + off, len - 1 - off, 1, max_len);
            CHECK(r > 0 && r <= len - 1 - off);
            if (r == 0)
                break;
            off += r;
        }
    }
    closedir(d);
    CHECK(n >= 1);
}

int main(void)
{
    ks_lexicon *lex;
    ks_error err;
    CHECK(ks_lexicon_new(&lex, &err) == KS_OK);
    CHECK(ks_lexicon_load_dir(lex, KS_SOURCE_DIR "/lexicon", &err) == KS_OK);
    CHECK(ks_normalizer_new(&nz, lex, &err) == KS_OK);
    ks_buf_init(&out, 0);

    /* cardinals, groups, signs */
    N("47 мектеп", "қырық жеті мектеп");
    N("Барлығы 0 болды", "Барлығы нөл болды");
    N("1 250 000 адам", "бір миллион екі жүз елу мың адам");
    N("1\xC2\xA0" "250\xE2\x80\xAF" "000 адам", "бір миллион екі жүз елу мың адам"); /* NBSP, NNBSP */
    N("12\xE2\x80\x89" "345", "он екі мың үш жүз қырық бес");                          /* thin space */
    N("2 мың 500 адам", "екі мың бес жүз адам");
    N("3 мыңнан астам", "үш мыңнан астам");
    N("-5 градус", "минус бес градус");
    N("+25 градус", "плюс жиырма бес градус");
    N("2024 300", "екі мың жиырма төрт үш жүз"); /* a 4-digit number is not merged with a group */
    N("Сан 12345678901234567890.", "Сан бір екі үш төрт бес алты жеті сегіз тоғыз нөл бір екі үш төрт бес алты жеті сегіз тоғыз нөл.");

    /* ordinals */
    N("5-сынып", "бесінші сынып");
    N("2-ші орын", "екінші орын");
    N("40-шы рет", "қырқыншы рет");
    N("3-шісі", "үшіншісі");
    N("21-ғасыр", "жиырма бірінші ғасыр");
    N("5-7-сыныптар", "бесінші-жетінші сыныптар");

    /* suffixes glued to numbers */
    N("5-ке", "беске");
    N("10-нан", "оннан");
    N("40-қа", "қырыққа");
    N("40-ы", "қырқы");
    N("2-еуі", "екеуі");
    N("6-ауы", "алтауы");
    N("7-еуі", "жетеуі");
    N("3-еуі", "үшеуі");
    N("12-сі", "он екісі");
    N("100-ге дейін", "жүзге дейін");
    N("10 000-нан", "он мыңнан");
    N("20-лаған адам", "жиырмалаған адам");
    N("5-тен 10-ға дейін", "бестен онға дейін");

    /* years, dates, decades */
    N("1991 жылы", "мың тоғыз жүз тоқсан бірінші жылы");
    N("2000 жылдан", "екі мыңыншы жылдан");
    N("2024 жылғы", "екі мың жиырма төртінші жылғы");
    N("1930 жылдары", "мың тоғыз жүз отызыншы жылдары");
    N("10 жыл бұрын", "он жыл бұрын");
    N("15 жыл бойы", "он бес жыл бойы");
    N("2000 жыл бұрын", "екі мың жыл бұрын");
    N("30 жылдығы", "отыз жылдығы");
    N("30-жылдығы", "отыз жылдығы");
    N("25 жылдық тәжірибе", "жиырма бес жылдық тәжірибе");
    N("1000 жылқы", "мың жылқы"); /* not a year: жылқы is a horse */
    N("1990-жылдары", "мың тоғыз жүз тоқсаныншы жылдары");
    N("60-жылдардың", "алпысыншы жылдардың");
    N("3 маусымдағы", "үшінші маусымдағы");
    N("16 Желтоқсан", "он алтыншы Желтоқсан");
    N("8 наурыз", "сегізінші наурыз");
    N("3 ай", "үш ай");
    N("45 қазандық", "қырық бес қазандық"); /* not a month: қазандық */
    N("маусымның 5-і", "маусымның бесі");
    N("03.06.2020 күні", "екі мың жиырмасыншы жылғы үшінші маусым күні");
    N("2019-2020 оқу жылында", "екі мың он тоғызыншы-екі мың жиырмасыншы оқу жылында");
    N("(1845–1904)", "(мың сегіз жүз қырық бесінші–мың тоғыз жүз төртінші)");
    N("1000-1500 адам", "мың-мың бес жүз адам");

    /* decimals, percent */
    N("3,5", "үш бүтін оннан бес");
    N("0,05-ке тең", "нөл бүтін жүзден беске тең");
    N("1,2,3", "бір,екі,үш");
    N("3.5 бөлім", "үш.бес бөлім");
    N("15%-ға", "он бес пайызға");
    N("7%-ке дейін", "жеті пайызға дейін");
    N("7%-тен", "жеті пайыздан");
    N("4%-ті", "төрт пайызды");
    N("5%-те", "бес пайызда");
    N("5%-тің", "бес пайыздың");
    N("70%-ы", "жетпіс пайызы");
    N("20%-дық", "жиырма пайыздық");
    N("20%-дығы", "жиырма пайыздығы");
    N("3 %", "үш пайыз");
    N("3–5%-ға", "үш–бес пайызға");
    N("10-15 адам", "он-он бес адам");
    N("20-25-тен", "жиырма-жиырма бестен");

    /* currency, units, temperatures */
    N("$2 млн", "екі миллион доллар");
    N("€450", "төрт жүз елу еуро");
    N("250 ₸", "екі жүз елу теңге");
    N("500 тг", "бес жүз теңге");
    N("1,2 трлн ₸", "бір бүтін оннан екі триллион теңге");
    N("100 ₸-ге", "жүз теңгеге");
    N("120 км.", "жүз жиырма километр.");
    N("60 см-ге", "алпыс сантиметрге");
    N("5 м", "бес метр");
    N("5 м²", "бес шаршы метр");
    N("80 ш.м. пәтер", "сексен шаршы метр пәтер");
    N("м және т", "м және т"); /* one-letter units only after a number */
    N("2,3 млн га", "екі бүтін оннан үш миллион гектар");
    N("млн адам", "миллион адам");
    N("-15°C-қа", "минус он бес градусқа");
    N("+5°С", "плюс бес градус");
    N("100 МВт", "жүз мегаватт");
    N("Бағасы 500 тг.", "Бағасы бес жүз теңге.");
    N("500 тг. төледі", "бес жүз теңге төледі");
    N("Ауданы 80 ш.м.", "Ауданы сексен шаршы метр.");
    N("20 ғ. басы", "жиырмасыншы ғасыр басы");

    /* time */
    N("14:30-да", "он төрт отызда");
    N("09:00-ден", "тоғыз нөл нөлден");
    N("20:05-те", "жиырма нөл бесте");
    N("3:1 есебімен", "үш-бір есебімен"); /* a score is not a time (RULES §26) */

    /* scores (RULES §26): есеп-word after or "есеп:" before, a one-digit B, A > 24 */
    N("Матч 11:10 есебімен аяқталды", "Матч он бір-он есебімен аяқталды");
    N("Есеп: 21:19", "Есеп: жиырма бір-он тоғыз");
    N("серия 3:3 болды", "серия үш-үш болды");
    N("сет 31:29 аяқталды", "сет отыз бір-жиырма тоғыз аяқталды");
    N("олар 4:0-мен жеңді", "олар төрт-нөлмен жеңді");
    N("2:0 (21:15, 21:18) есебімен", "екі-нөл (жиырма бір-он бес, жиырма бір-он сегіз) есебімен");
    N("1:2 қатынасында", "бір:екі қатынасында"); /* a ratio */
    N("сағат 11:10-да", "сағат он бір онда");    /* a time */
    N("сағат 19.00-де", "сағат он тоғыз нөл нөлде");
    N("Сағат 9.30 болды", "Сағат тоғыз отыз болды");
    N("12:30:15", "он екі отыз он бес");
    N("Бөлім 3.15 бойынша", "Бөлім үш.он бес бойынша"); /* not a time without сағат or an ending */
    N("8 (7172) 74-30-95", "сегіз жеті мың жүз жетпіс екі жетпіс төрт отыз тоқсан бес");

    /* phone numbers */
    N("+7 701 234 56 78", "плюс жеті жеті жүз бір екі жүз отыз төрт елу алты жетпіс сегіз");
    N("+7 (727) 250-30-40.", "плюс жеті жеті жүз жиырма жеті екі жүз елу отыз қырық.");
    N("8 777 305 11 90", "сегіз жеті жүз жетпіс жеті үш жүз бес он бір тоқсан");
    N("8 701 050 11 90", "сегіз жеті жүз бір нөл елу он бір тоқсан");

    /* № */
    N("№82 мектеп", "сексен екінші мектеп");
    N("№ 7 автобус", "жетінші автобус");
    N("№5-ке", "бесіншіге");

    /* Roman numerals */
    N("XXI ғасыр", "жиырма бірінші ғасыр");
    N("ХХІ ғасыр", "жиырма бірінші ғасыр"); /* Cyrillic lookalikes */
    N("XIV ғасырда", "он төртінші ғасырда");
    N("III томы", "үшінші томы");
    N("XV ғ. ескерткіші", "он бесінші ғасыр ескерткіші");
    N("SpaceX компаниясы", "SpaceX компаниясы");
    N("C тобы", "C тобы");
    N("MIX компаниясы", "MIX компаниясы"); /* not a canonical numeral */
    N("Ол XX", "Ол XX");
    N("XL өлшемі", "XL өлшемі");
    N("MCMXCI ғасыр", "мың тоғыз жүз тоқсан бірінші ғасыр");
    N("V тарау", "бесінші тарау");
    N("I топ", "бірінші топ");
    N("I Петр", "I Петр"); /* one letter before a name: not converted */

    /* abbreviations */
    N("т.б. бұйымдар", "тағы басқа бұйымдар");
    N("т. б. бұйымдар", "тағы басқа бұйымдар");
    N("т.с.с. нысандар", "тағы сол сияқты нысандар");
    N("Алматы қ., Абай көш., 10-үй.", "Алматы қаласы, Абай көшесі, оныншы үй.");
    N("Алматы қ.", "Алматы қаласы.");
    N("алма қ. жоқ", "алма қ. жоқ"); /* қ. only after a capitalised name */
    N("проф. Ахметов", "профессор Ахметов");
    N("мыс. Түркия", "мысалы Түркия");
    /* capitalised at the start of a sentence; a lone capital stays an initial */
    N("Проф. Ахметов сөйледі.", "профессор Ахметов сөйледі.");
    N("Тел.: 8 777 305 11 90", "телефон: сегіз жеті жүз жетпіс жеті үш жүз бес он бір тоқсан");
    N("А. Байтұрсынұлы", "а Байтұрсынұлы");
    N("1985 ж. Алматыда", "мың тоғыз жүз сексен бесінші жылы Алматыда");
    N("2020 ж. 3 маусымда", "екі мың жиырмасыншы жылғы үшінші маусымда");
    N("(1985 ж.)", "(мың тоғыз жүз сексен бесінші жыл)");
    N("Ол 1985 ж.", "Ол мың тоғыз жүз сексен бесінші жыл.");
    N("(1845–1904 жж.) ақын", "(мың сегіз жүз қырық бесінші–мың тоғыз жүз төртінші жылдар) ақын");
    N("т.б. Келесі", "тағы басқа. Келесі");

    /* acronyms */
    N("ҚР Президенті", "Қазақстан Республикасы Президенті");
    N("ҚР-да", "Қазақстан Республикасында");
    N("ҚР-дың", "Қазақстан Республикасының");
    N("БҰҰ-ға", "Біріккен Ұлттар Ұйымына");
    N("АҚШ-та", "Америка Құрама Штаттарында");
    N("АҚШ-тан", "Америка Құрама Штаттарынан");
    N("ҚР-дағы", "Қазақстан Республикасындағы");
    N("ҚР-ды", "Қазақстан Республикасын");
    N("ҚР-мен", "Қазақстан Республикасымен");
    N("ЖОО-ға", "жоғары оқу орнына");
    N("ЖОО-лардың", "жоғары оқу орындарының");
    N("ЖОО-лар", "жоғары оқу орындары");
    N("ЖІӨ-нің", "жалпы ішкі өнімнің");
    N("ЖІӨ-ге", "жалпы ішкі өнімге");
    N("ЕО-ға", "Еуропалық Одаққа");
    N("АҚШ пен Қытай", "Америка Құрама Штаттары мен Қытай");
    N("ЖІӨ мен", "жалпы ішкі өнім мен");
    N("НАТО-ға", "Натоға");

    /* unknown acronyms: letter names */
    N("ЖШС директоры", "жы шы сы директоры");
    N("ЖШС-ның", "жы шы сының");
    N("ТЖД пен", "ты жы ды мен");
    N("ҚАЗАҚСТАН ОЛ ЖАҢАЛЫҚТАРЫ", "ҚАЗАҚСТАН ОЛ ЖАҢАЛЫҚТАРЫ"); /* a headline, not acronyms */
    N("ABC компаниясы", "ABC компаниясы");                     /* Latin all-caps is not spelled */
    N("ҚазҰУ-да", "Қазақ ұлттық университетінде");

    /* initials */
    N("Н.Ә. Назарбаевтың", "ны ә Назарбаевтың");
    N("А.Байтұрсынұлы", "а Байтұрсынұлы");
    N("М. Әуезов", "мы Әуезов");
    N("Қ.Тоқаев", "қы Тоқаев");

    /* pass-through */
    N("Apple компаниясы жаңа смартфонын таныстырды.", "Apple компаниясы жаңа смартфонын таныстырды.");
    N("«Комсомольская правда»", "«Комсомольская правда»");
    N("екі бесінші", "екі бесінші");
    N("A4 қағаз 5G желі", "A төрт қағаз бес G желі"); /* RULES §35 */
    N("MP3 файлы, Windows-11 жүйесі", "MP үш файлы, Windows он бір жүйесі");

    /* fractions and sizes (RULES §27) */
    N("1/16 финалы", "он алтыдан бір финалы");
    N("2/5 бөлігі", "бестен екі бөлігі");
    N("1/3-і", "үштен бірі");
    N("¾ бөлігі", "төрттен үш бөлігі");
    N("12/05/2021", "он екі/нөл бес/екі мың жиырма бір"); /* not a fraction */
    N("5/3 қатынас", "бес/үш қатынас"); /* A > B: not a fraction */
    N("2х50 метр", "екіге елу метр");
    N("10x10 см", "онға он сантиметр");

    /* signs (RULES §29) */
    N("-3...-8°C", "минус үш...минус сегіз градус");
    N("түнде –4, күндіз +1+5 градус", "түнде минус төрт, күндіз плюс бір плюс бес градус");
    N("көрсеткіш + 20-ға", "көрсеткіш плюс жиырмаға");
    N("баға - 300 теңге", "баға - үш жүз теңге");
    N("шығын (-) 15 мың", "шығын (минус) он бес мың");

    /* Roman numerals (RULES §34): look-alikes, ranges, lists, hyphen words */
    N("ХҮІ-ХҮІІІ ғасырларда", "он алтыншы-он сегізінші ғасырларда");
    N("I, II және III кезеңдер", "бірінші, екінші және үшінші кезеңдер"); /* §25 list */
    N("V кезең", "V кезең"); /* a single letter needs a trigger */
    N("II, III шақырылым", "екінші, үшінші шақырылым");
    N("ІV-орынға шықты", "төртінші орынға шықты");
    N("ІІ-ші топта", "екінші топта");
    N("С тобында", "С тобында");
    N("ХХ ғасырдың ІІ жартысы", "жиырмасыншы ғасырдың екінші жартысы");

    /* ordinal propagation over lists and ranges (RULES §25) */
    N("5, 6 және 7 наурызда", "бесінші, алтыншы және жетінші наурызда");
    N("1-15 желтоқсан", "бірінші-он бесінші желтоқсан");
    N("11, 45-минуттарда", "он бірінші, қырық бесінші минуттарда");
    N("2024 - 2026 жылдарға", "екі мың жиырма төртінші - екі мың жиырма алтыншы жылдарға");
    N("ұпай саны 55, 2024 жылы", "ұпай саны елу бес, екі мың жиырма төртінші жылы"); /* not a year */
    N("1856-61 жылдары", "мың сегіз жүз елу алтыншы-алпыс бірінші жылдары");
    N("5-6(7) сынып", "бесінші-алтыншы(жетінші) сынып");
    N("2 курс студенттері", "екінші курс студенттері");
    N("2 орынбасары", "екі орынбасары");       /* not a counter noun */
    N("100 орындық мектеп", "жүз орындық мектеп"); /* adjectival */
    N("300 орын", "үш жүз орын");              /* seats */
    N("3 топ құрылды", "үш топ құрылды");
    N("90 жылдардың басында", "тоқсаныншы жылдардың басында");
    N("10 жыл бұрын", "он жыл бұрын");
    N("12, 15 мың теңге", "он екі, он бес мың теңге");

    /* list markers and sub-items (RULES §36) */
    N("2. Ереже бекітілсін.\n12) Шешім", "екінші. Ереже бекітілсін.\nон екінші) Шешім");
    N("осы баптың 7) тармақшасында", "осы баптың жетінші тармақшасында");
    N("Бізде 2. орын", "Бізде екі. орын"); /* not at a line start */
    N("  екі  бос  орын  ", "  екі  бос  орын  ");
    N("", "");

    /* generated words are lowercase at the start of a sentence */
    N("2018 жылдан бастап", "екі мың он сегізінші жылдан бастап");

    /* robustness: invalid UTF-8, NUL, [[ */
    {
        size_t bad = 0;
        const char in[] = "ab\xFF" "c\xE2\x82";
        ks_buf_reset(&out);
        CHECK(ks_normalize(nz, in, sizeof in - 1, &out, &bad, &err) == KS_OK);
        CHECK_INT(bad, 2);
        CHECK_STR(out.data, "ab\xEF\xBF\xBD" "c\xEF\xBF\xBD");
        ks_buf_reset(&out);
        CHECK(ks_normalize(nz, "ok", 2, &out, &bad, &err) == KS_OK);
        CHECK(bad == (size_t)-1);
        ks_buf_reset(&out);
        CHECK(ks_normalize(nz, "a\0b", 3, &out, &bad, &err) == KS_OK);
        CHECK_STR(out.data, "a b");
        N("[[h@'l@U]] 5", "[ [h@'l@U]] бес");
        N("[[[x", "[ [ [x");
        N("[5-ке[", "[беске[");
    }

    /* explain hook */
    {
        struct ex e = {{0}, 0, 0};
        ks_normalizer_set_explain(nz, explain_cb, &e);
        N("ҚР-да 5,1%-ке өсті", "Қазақстан Республикасында бес бүтін оннан бір пайызға өсті");
        CHECK_INT(e.calls, 2);
        CHECK_STR(e.log, "[acronym] ҚР-да -> Қазақстан Республикасында\n[percent] 5,1%-ке -> бес бүтін оннан бір пайызға\n");
        ks_normalizer_set_explain(nz, NULL, NULL);
    }

    /* large inputs run in linear time and bounded memory (no timing asserted, only results) */
    {
        size_t big = 10u * 1024 * 1024;
        char *s = malloc(big);
        CHECK(s != NULL);
        for (size_t i = 0; i + 1 < big; i += 2) { /* "аааа…" without spaces */
            s[i] = (char)0xD0;
            s[i + 1] = (char)0xB0;
        }
        ks_buf_reset(&out);
        CHECK(ks_normalize(nz, s, big, &out, NULL, &err) == KS_OK);
        CHECK_INT(out.len, big);
        memset(s, '9', 10000);
        ks_buf_reset(&out);
        CHECK(ks_normalize(nz, s, 10000, &out, NULL, &err) == KS_OK);
        CHECK_INT(out.len, 10000 * strlen("тоғыз ") - 1);
        memset(s, '.', 200000);
        ks_buf_reset(&out);
        CHECK(ks_normalize(nz, s, 200000, &out, NULL, &err) == KS_OK);
        CHECK_INT(out.len, 200000);
        /* "т." plus half of "б": 200 000 bytes of alternating invalid UTF-8 (once hung the fast path) */
        for (size_t i = 0; i < 200000; i += 4)
            memcpy(s + i, "т.б.", 4);
        ks_buf_reset(&out);
        CHECK(ks_normalize(nz, s, 200000, &out, NULL, &err) == KS_OK);
        for (size_t i = 0; i + 6 <= 200000; i += 6)
            memcpy(s + i, "т.б.", 6);
        ks_buf_reset(&out);
        CHECK(ks_normalize(nz, s, 199998, &out, NULL, &err) == KS_OK);
        CHECK(out.len > 0 && memcmp(out.data, "тағы басқатағы басқа", strlen("тағы басқатағы басқа")) == 0);
        memset(s, '-', 200000);
        s[199999] = '5';
        ks_buf_reset(&out);
        CHECK(ks_normalize(nz, s, 200000, &out, NULL, &err) == KS_OK);
        for (size_t i = 0; i < 200000; i += 2)
            memcpy(s + i, "1 ", 2);
        ks_buf_reset(&out);
        CHECK(ks_normalize(nz, s, 200000, &out, NULL, &err) == KS_OK);
        free(s);
    }

    /* a size-capped output buffer reports ENOMEM */
    {
        ks_buf small;
        ks_buf_init(&small, 8);
        CHECK(ks_normalize(nz, "1234567", 7, &small, NULL, &err) == KS_ENOMEM);
        ks_buf_free(&small);
    }

    /* without a lexicon the built-in tables still work */
    {
        ks_normalizer *bare;
        CHECK(ks_normalizer_new(&bare, NULL, &err) == KS_OK);
        ks_buf b;
        ks_buf_init(&b, 0);
        CHECK(ks_normalize(bare, "2020 жылы 15%-ға ЖШС", strlen("2020 жылы 15%-ға ЖШС"), &b, NULL, &err) == KS_OK);
        CHECK_STR(b.data, "екі мың жиырмасыншы жылы он бес пайызға жы шы сы");
        ks_buf_free(&b);
        ks_normalizer_free(bare);
    }

    /* letter names and Roman values: tests/unit/test_kk_words.c */

    replay_regressions();

    CHECK(ks_normalize(NULL, "x", 1, &out, NULL, &err) == KS_EINVAL);
    ks_normalizer_free(nz);
    ks_normalizer_free(NULL);
    ks_lexicon_free(lex);
    ks_buf_free(&out);
    return check_done();
}
