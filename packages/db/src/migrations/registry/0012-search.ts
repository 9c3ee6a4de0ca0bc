import { type Kysely, sql } from 'kysely';

/**
 * Search over the registry (GET /search): one row per searchable thing in
 * `registry.search_entry`, kept by triggers on the tables it mirrors, so every writer (the
 * services, the CSV import, the seed, a psql session) keeps it current in the same
 * transaction. Postgres only, no search server:
 *
 * - English: `to_tsvector('english', …)` stems, so "collaborations" finds "collaborate".
 * - Japanese (no spaces between words): every run of kana/kanji becomes its character bigrams
 *   (東京大学 → 東京 京大 大学) in a `simple` tsvector, so a two-character word is found inside
 *   a longer title; a longer word is all of its bigrams; one character is a prefix match.
 *   (pg_trgm would need three characters for its index to help, and no extension is needed.)
 * - Countries: a partner's document carries its country's names in English and Japanese and
 *   common aliases (`registry.country_name`), so "Switzerland" and "スイス" find ETH Zurich (CH).
 *
 * Text is NFKC-normalised and lower-cased first: full-width ＥＴＨ and half-width ｶﾀｶﾅ match.
 * Who sees what is the entry's `audience` (public, partner, staff) and `partner_id`.
 */

/** ISO 3166-1 alpha-2 code | English name | Japanese name | aliases (`;`), from CLDR via Intl. */
const COUNTRIES = `
AD|Andorra|アンドラ|
AE|United Arab Emirates|アラブ首長国連邦|UAE
AF|Afghanistan|アフガニスタン|
AG|Antigua & Barbuda|アンティグア・バーブーダ|
AI|Anguilla|アンギラ|
AL|Albania|アルバニア|
AM|Armenia|アルメニア|
AN|Curaçao|キュラソー|
AO|Angola|アンゴラ|
AQ|Antarctica|南極|
AR|Argentina|アルゼンチン|
AS|American Samoa|米領サモア|
AT|Austria|オーストリア|
AU|Australia|オーストラリア|
AW|Aruba|アルバ|
AX|Åland Islands|オーランド諸島|
AZ|Azerbaijan|アゼルバイジャン|
BA|Bosnia & Herzegovina|ボスニア・ヘルツェゴビナ|
BB|Barbados|バルバドス|
BD|Bangladesh|バングラデシュ|
BE|Belgium|ベルギー|
BF|Burkina Faso|ブルキナファソ|
BG|Bulgaria|ブルガリア|
BH|Bahrain|バーレーン|
BI|Burundi|ブルンジ|
BJ|Benin|ベナン|
BL|St. Barthélemy|サン・バルテルミー|
BM|Bermuda|バミューダ|
BN|Brunei|ブルネイ|
BO|Bolivia|ボリビア|
BQ|Caribbean Netherlands|オランダ領カリブ|
BR|Brazil|ブラジル|
BS|Bahamas|バハマ|
BT|Bhutan|ブータン|
BU|Myanmar (Burma)|ミャンマー (ビルマ)|
BV|Bouvet Island|ブーベ島|
BW|Botswana|ボツワナ|
BY|Belarus|ベラルーシ|
BZ|Belize|ベリーズ|
CA|Canada|カナダ|
CC|Cocos (Keeling) Islands|ココス(キーリング)諸島|
CD|Congo - Kinshasa|コンゴ民主共和国(キンシャサ)|
CF|Central African Republic|中央アフリカ共和国|
CG|Congo - Brazzaville|コンゴ共和国(ブラザビル)|
CH|Switzerland|スイス|Swiss Confederation;スイス連邦
CI|Côte d’Ivoire|コートジボワール|Ivory Coast
CK|Cook Islands|クック諸島|
CL|Chile|チリ|
CM|Cameroon|カメルーン|
CN|China|中国|PRC;People's Republic of China;中華人民共和国
CO|Colombia|コロンビア|
CR|Costa Rica|コスタリカ|
CS|Serbia|セルビア|
CU|Cuba|キューバ|
CV|Cape Verde|カーボベルデ|Cape Verde
CW|Curaçao|キュラソー|
CX|Christmas Island|クリスマス島|
CY|Cyprus|キプロス|
CZ|Czechia|チェコ|Czech Republic
DD|Germany|ドイツ|
DE|Germany|ドイツ|独
DJ|Djibouti|ジブチ|
DK|Denmark|デンマーク|
DM|Dominica|ドミニカ国|
DO|Dominican Republic|ドミニカ共和国|
DY|Benin|ベナン|
DZ|Algeria|アルジェリア|
EC|Ecuador|エクアドル|
EE|Estonia|エストニア|
EG|Egypt|エジプト|
EH|Western Sahara|西サハラ|
ER|Eritrea|エリトリア|
ES|Spain|スペイン|
ET|Ethiopia|エチオピア|
FI|Finland|フィンランド|
FJ|Fiji|フィジー|
FK|Falkland Islands|フォークランド諸島|
FM|Micronesia|ミクロネシア連邦|
FO|Faroe Islands|フェロー諸島|
FR|France|フランス|仏
FX|France|フランス|
GA|Gabon|ガボン|
GB|United Kingdom|イギリス|UK;Britain;Great Britain;England;Scotland;Wales;Northern Ireland;英国
GD|Grenada|グレナダ|
GE|Georgia|ジョージア|
GF|French Guiana|仏領ギアナ|
GG|Guernsey|ガーンジー|
GH|Ghana|ガーナ|
GI|Gibraltar|ジブラルタル|
GL|Greenland|グリーンランド|
GM|Gambia|ガンビア|
GN|Guinea|ギニア|
GP|Guadeloupe|グアドループ|
GQ|Equatorial Guinea|赤道ギニア|
GR|Greece|ギリシャ|
GS|South Georgia & South Sandwich Islands|サウスジョージア・サウスサンドウィッチ諸島|
GT|Guatemala|グアテマラ|
GU|Guam|グアム|
GW|Guinea-Bissau|ギニアビサウ|
GY|Guyana|ガイアナ|
HK|Hong Kong SAR China|中華人民共和国香港特別行政区|Hong Kong;香港
HM|Heard & McDonald Islands|ハード島・マクドナルド諸島|
HN|Honduras|ホンジュラス|
HR|Croatia|クロアチア|
HT|Haiti|ハイチ|
HU|Hungary|ハンガリー|
HV|Burkina Faso|ブルキナファソ|
ID|Indonesia|インドネシア|
IE|Ireland|アイルランド|
IL|Israel|イスラエル|
IM|Isle of Man|マン島|
IN|India|インド|
IO|British Indian Ocean Territory|英領インド洋地域|
IQ|Iraq|イラク|
IR|Iran|イラン|Persia
IS|Iceland|アイスランド|
IT|Italy|イタリア|
JE|Jersey|ジャージー|
JM|Jamaica|ジャマイカ|
JO|Jordan|ヨルダン|
JP|Japan|日本|
KE|Kenya|ケニア|
KG|Kyrgyzstan|キルギス|
KH|Cambodia|カンボジア|
KI|Kiribati|キリバス|
KM|Comoros|コモロ|
KN|St. Kitts & Nevis|セントクリストファー・ネーヴィス|
KP|North Korea|北朝鮮|North Korea;朝鮮民主主義人民共和国
KR|South Korea|韓国|Korea;Republic of Korea;大韓民国
KW|Kuwait|クウェート|
KY|Cayman Islands|ケイマン諸島|
KZ|Kazakhstan|カザフスタン|
LA|Laos|ラオス|
LB|Lebanon|レバノン|
LC|St. Lucia|セントルシア|
LI|Liechtenstein|リヒテンシュタイン|
LK|Sri Lanka|スリランカ|
LR|Liberia|リベリア|
LS|Lesotho|レソト|
LT|Lithuania|リトアニア|
LU|Luxembourg|ルクセンブルク|
LV|Latvia|ラトビア|
LY|Libya|リビア|
MA|Morocco|モロッコ|
MC|Monaco|モナコ|
MD|Moldova|モルドバ|
ME|Montenegro|モンテネグロ|
MF|St. Martin|サン・マルタン|
MG|Madagascar|マダガスカル|
MH|Marshall Islands|マーシャル諸島|
MK|North Macedonia|北マケドニア|Macedonia
ML|Mali|マリ|
MM|Myanmar (Burma)|ミャンマー (ビルマ)|Burma
MN|Mongolia|モンゴル|
MO|Macao SAR China|中華人民共和国マカオ特別行政区|Macau;Macao;マカオ
MP|Northern Mariana Islands|北マリアナ諸島|
MQ|Martinique|マルティニーク|
MR|Mauritania|モーリタニア|
MS|Montserrat|モントセラト|
MT|Malta|マルタ|
MU|Mauritius|モーリシャス|
MV|Maldives|モルディブ|
MW|Malawi|マラウイ|
MX|Mexico|メキシコ|
MY|Malaysia|マレーシア|
MZ|Mozambique|モザンビーク|
NA|Namibia|ナミビア|
NC|New Caledonia|ニューカレドニア|
NE|Niger|ニジェール|
NF|Norfolk Island|ノーフォーク島|
NG|Nigeria|ナイジェリア|
NH|Vanuatu|バヌアツ|
NI|Nicaragua|ニカラグア|
NL|Netherlands|オランダ|Holland
NO|Norway|ノルウェー|
NP|Nepal|ネパール|
NR|Nauru|ナウル|
NU|Niue|ニウエ|
NZ|New Zealand|ニュージーランド|Aotearoa
OM|Oman|オマーン|
PA|Panama|パナマ|
PE|Peru|ペルー|
PF|French Polynesia|仏領ポリネシア|
PG|Papua New Guinea|パプアニューギニア|
PH|Philippines|フィリピン|
PK|Pakistan|パキスタン|
PL|Poland|ポーランド|
PM|St. Pierre & Miquelon|サンピエール島・ミクロン島|
PN|Pitcairn Islands|ピトケアン諸島|
PR|Puerto Rico|プエルトリコ|
PS|Palestinian Territories|パレスチナ自治区|
PT|Portugal|ポルトガル|
PW|Palau|パラオ|
PY|Paraguay|パラグアイ|
QA|Qatar|カタール|
RE|Réunion|レユニオン|
RH|Zimbabwe|ジンバブエ|
RO|Romania|ルーマニア|
RS|Serbia|セルビア|
RU|Russia|ロシア|Russian Federation
RW|Rwanda|ルワンダ|
SA|Saudi Arabia|サウジアラビア|
SB|Solomon Islands|ソロモン諸島|
SC|Seychelles|セーシェル|
SD|Sudan|スーダン|
SE|Sweden|スウェーデン|
SG|Singapore|シンガポール|
SH|St. Helena|セントヘレナ|
SI|Slovenia|スロベニア|
SJ|Svalbard & Jan Mayen|スバールバル諸島・ヤンマイエン島|
SK|Slovakia|スロバキア|
SL|Sierra Leone|シエラレオネ|
SM|San Marino|サンマリノ|
SN|Senegal|セネガル|
SO|Somalia|ソマリア|
SR|Suriname|スリナム|
SS|South Sudan|南スーダン|
ST|São Tomé & Príncipe|サントメ・プリンシペ|
SU|Russia|ロシア|
SV|El Salvador|エルサルバドル|
SX|Sint Maarten|シント・マールテン|
SY|Syria|シリア|
SZ|Eswatini|エスワティニ|Swaziland
TC|Turks & Caicos Islands|タークス・カイコス諸島|
TD|Chad|チャド|
TF|French Southern Territories|仏領極南諸島|
TG|Togo|トーゴ|
TH|Thailand|タイ|
TJ|Tajikistan|タジキスタン|
TK|Tokelau|トケラウ|
TL|Timor-Leste|東ティモール|East Timor
TM|Turkmenistan|トルクメニスタン|
TN|Tunisia|チュニジア|
TO|Tonga|トンガ|
TP|Timor-Leste|東ティモール|
TR|Türkiye|トルコ|Turkey;Türkiye
TT|Trinidad & Tobago|トリニダード・トバゴ|
TV|Tuvalu|ツバル|
TW|Taiwan|台湾|Chinese Taipei
TZ|Tanzania|タンザニア|
UA|Ukraine|ウクライナ|
UG|Uganda|ウガンダ|
UK|United Kingdom|イギリス|
UM|U.S. Outlying Islands|合衆国領有小離島|
US|United States|アメリカ合衆国|USA;America;United States of America;アメリカ;米国
UY|Uruguay|ウルグアイ|
UZ|Uzbekistan|ウズベキスタン|
VA|Vatican City|バチカン市国|
VC|St. Vincent & Grenadines|セントビンセント及びグレナディーン諸島|
VD|Vietnam|ベトナム|
VE|Venezuela|ベネズエラ|
VG|British Virgin Islands|英領ヴァージン諸島|
VI|U.S. Virgin Islands|米領ヴァージン諸島|
VN|Vietnam|ベトナム|Viet Nam
VU|Vanuatu|バヌアツ|
WF|Wallis & Futuna|ウォリス・フツナ|
WS|Samoa|サモア|
XK|Kosovo|コソボ|
YD|Yemen|イエメン|
YE|Yemen|イエメン|
YT|Mayotte|マヨット|
YU|Serbia|セルビア|
ZA|South Africa|南アフリカ|
ZM|Zambia|ザンビア|
ZR|Congo - Kinshasa|コンゴ民主共和国(キンシャサ)|
ZW|Zimbabwe|ジンバブエ|
`;

export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`
    create table registry.country_name (
      code char(2) primary key,
      name_en text not null,
      name_ja text not null,
      aliases text[] not null default '{}'
    )`.execute(db);
  const countries = COUNTRIES.trim()
    .split('\n')
    .map((line) => {
      const [code, nameEn, nameJa, aliases] = line.split('|') as [string, string, string, string];
      return { code, nameEn, nameJa, aliases: aliases ? aliases.split(';') : [] };
    });
  await sql`
    insert into registry.country_name (code, name_en, name_ja, aliases)
    select c.code, c."nameEn", c."nameJa", c.aliases
    from jsonb_to_recordset(${JSON.stringify(countries)}::jsonb)
      as c(code text, "nameEn" text, "nameJa" text, aliases text[])`.execute(db);

  // The search's text normalisation: NFKC (full-width Latin, half-width kana), lower case.
  await sql`
    create function registry.search_normalize(t text) returns text
    language sql immutable parallel safe strict
    as $$ select lower(normalize(t, NFKC)) $$`.execute(db);

  // Character bigrams of each run of kana/kanji (a one-character run stays as it is), as a
  // space-separated string for the 'simple' configuration.
  await sql`
    create function registry.search_cjk_grams(t text) returns text
    language sql immutable parallel safe
    as $$
      select coalesce(string_agg(gram, ' '), '')
      from (
        select case when length(run) = 1 then run else substr(run, i, 2) end as gram
        from regexp_matches(
               registry.search_normalize(coalesce(t, '')),
               '[\u3005\u3006\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]+', 'g'
             ) as m(runs)
        cross join lateral (select m.runs[1] as run) r
        cross join lateral generate_series(1, greatest(length(r.run) - 1, 1)) as i
      ) grams
    $$`.execute(db);

  // A document from a title (weight A), a second title (A) and a body (B).
  await sql`
    create function registry.search_document(title text, title2 text, body text) returns tsvector
    language sql immutable parallel safe
    as $$
      select
        setweight(to_tsvector('english', registry.search_normalize(concat_ws(' ', title, title2))), 'A')
        || setweight(to_tsvector('english', registry.search_normalize(coalesce(body, ''))), 'B')
        || setweight(to_tsvector('simple', registry.search_cjk_grams(concat_ws(' ', title, title2))), 'A')
        || setweight(to_tsvector('simple', registry.search_cjk_grams(body)), 'B')
    $$`.execute(db);

  await sql`
    create table registry.search_entry (
      kind text not null check (kind in ('partner', 'activity', 'contact', 'faculty-lead')),
      entity_id uuid not null,
      -- The partner it belongs to (a partner's token finds only its own partner's things).
      partner_id uuid,
      -- public: anyone; partner: staff and that partner; staff: staff only (personal data).
      audience text not null check (audience in ('public', 'partner', 'staff')),
      title text not null,
      title_ja text,
      body text not null default '',
      document tsvector not null,
      -- The titles alone, so matches in a title are found first however common the word is.
      title_document tsvector not null,
      updated_at timestamptz not null default now(),
      primary key (kind, entity_id)
    )`.execute(db);
  await sql`create index search_entry_document_idx on registry.search_entry using gin (document)`.execute(
    db,
  );
  await sql`create index search_entry_title_document_idx on registry.search_entry using gin (title_document)`.execute(
    db,
  );
  await sql`create index search_entry_partner_idx on registry.search_entry (partner_id)`.execute(
    db,
  );

  await sql`
    create function registry.search_put(
      p_kind text, p_id uuid, p_partner uuid, p_audience text, p_title text, p_title_ja text, p_body text
    ) returns void language sql volatile as $$
      insert into registry.search_entry
        (kind, entity_id, partner_id, audience, title, title_ja, body, document, title_document, updated_at)
      values (p_kind, p_id, p_partner, p_audience, p_title, p_title_ja, coalesce(p_body, ''),
              registry.search_document(p_title, p_title_ja, p_body),
              registry.search_document(p_title, p_title_ja, null), now())
      on conflict (kind, entity_id) do update set
        partner_id = excluded.partner_id, audience = excluded.audience, title = excluded.title,
        title_ja = excluded.title_ja, body = excluded.body, document = excluded.document,
        title_document = excluded.title_document, updated_at = excluded.updated_at
    $$`.execute(db);

  // Partners: public unless the partnership has ended; found by country names too.
  await sql`
    create function registry.search_partner_sync() returns trigger language plpgsql as $$
    begin
      if tg_op = 'DELETE' then
        delete from registry.search_entry where kind = 'partner' and entity_id = old.id;
        return old;
      end if;
      perform registry.search_put('partner', new.id, new.id,
        case when new.status = 'ended' then 'partner' else 'public' end,
        new.name_en, new.name_ja,
        concat_ws(' ',
          (select concat_ws(' ', c.name_en, c.name_ja, array_to_string(c.aliases, ' '))
             from registry.country_name c where c.code = new.country),
          new.summary_en, new.summary_ja, array_to_string(new.member_institutions, ' ')));
      return new;
    end $$`.execute(db);
  await sql`
    create trigger partner_search after insert or update or delete on registry.partner
    for each row execute function registry.search_partner_sync()`.execute(db);

  // Activities: public once approved and public (published_at set), else staff and the partner.
  await sql`
    create function registry.search_activity_sync() returns trigger language plpgsql as $$
    begin
      if tg_op = 'DELETE' then
        delete from registry.search_entry where kind = 'activity' and entity_id = old.id;
        return old;
      end if;
      perform registry.search_put('activity', new.id, new.partner_id,
        case when new.published_at is not null then 'public' else 'partner' end,
        new.title_en, new.title_ja,
        concat_ws(' ', new.summary_en, new.summary_ja,
          array_to_string(new.departments, ' '), array_to_string(new.leads, ' ')));
      return new;
    end $$`.execute(db);
  await sql`
    create trigger activity_search after insert or update or delete on registry.activity
    for each row execute function registry.search_activity_sync()`.execute(db);

  // People: staff only, whatever the caller's partner.
  await sql`
    create function registry.search_contact_sync() returns trigger language plpgsql as $$
    begin
      if tg_op = 'DELETE' then
        delete from registry.search_entry where kind = 'contact' and entity_id = old.id;
        return old;
      end if;
      perform registry.search_put('contact', new.id, new.partner_id, 'staff',
        new.name_en, new.name_ja,
        concat_ws(' ', new.role, new.email,
          (select concat_ws(' ', p.name_en, p.name_ja) from registry.partner p where p.id = new.partner_id)));
      return new;
    end $$`.execute(db);
  await sql`
    create trigger contact_search after insert or update or delete on registry.contact
    for each row execute function registry.search_contact_sync()`.execute(db);

  await sql`
    create function registry.search_faculty_lead_sync() returns trigger language plpgsql as $$
    begin
      if tg_op = 'DELETE' then
        delete from registry.search_entry where kind = 'faculty-lead' and entity_id = old.id;
        return old;
      end if;
      perform registry.search_put('faculty-lead', new.id, null, 'staff',
        new.name_en, new.name_ja, concat_ws(' ', new.department, new.email));
      return new;
    end $$`.execute(db);
  await sql`
    create trigger faculty_lead_search after insert or update or delete on registry.faculty_lead
    for each row execute function registry.search_faculty_lead_sync()`.execute(db);

  // What is already there (a database migrated with data in it).
  await sql`update registry.partner set id = id`.execute(db);
  await sql`update registry.activity set id = id`.execute(db);
  await sql`update registry.contact set id = id`.execute(db);
  await sql`update registry.faculty_lead set id = id`.execute(db);
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await sql`drop trigger faculty_lead_search on registry.faculty_lead`.execute(db);
  await sql`drop trigger contact_search on registry.contact`.execute(db);
  await sql`drop trigger activity_search on registry.activity`.execute(db);
  await sql`drop trigger partner_search on registry.partner`.execute(db);
  await sql`drop function registry.search_faculty_lead_sync()`.execute(db);
  await sql`drop function registry.search_contact_sync()`.execute(db);
  await sql`drop function registry.search_activity_sync()`.execute(db);
  await sql`drop function registry.search_partner_sync()`.execute(db);
  await sql`drop function registry.search_put(text, uuid, uuid, text, text, text, text)`.execute(
    db,
  );
  await sql`drop table registry.search_entry`.execute(db);
  await sql`drop function registry.search_document(text, text, text)`.execute(db);
  await sql`drop function registry.search_cjk_grams(text)`.execute(db);
  await sql`drop function registry.search_normalize(text)`.execute(db);
  await sql`drop table registry.country_name`.execute(db);
}
