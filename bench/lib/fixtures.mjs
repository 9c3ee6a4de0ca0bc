// Made-up but realistic partners, so a list page is full and its rows look like production's:
// English and Japanese names (so the JSON carries multi-byte text), a spread of countries,
// regions and statuses, nullable fields sometimes null, a few consortia, summaries of varied
// length. Generated from a fixed seed: every run inserts the same rows and reads the same page.

/** mulberry32: a tiny deterministic PRNG; good enough to vary test data, not for anything else. */
function prng(seed) {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 2 ** 32;
  };
}

/** Syllables of made-up place names, with their katakana, so both names of a partner match. */
const syllables = (
  'ka:カ ri:リ mo:モ na:ナ to:ト sa:サ vel:ヴェル lan:ラン dor:ドール mar:マル ber:ベル gen:ゲン ' +
  'ton:トン ham:ハム lin:リン ste:ステ ro:ロ da:ダ wen:ウェン al:アル bra:ブラ cor:コル fel:フェル ' +
  'gra:グラ hel:ヘル is:イス ju:ユ kel:ケル lo:ロ mi:ミ nor:ノル pa:パ quin:クイン sel:セル ' +
  'tar:タル u:ウ vi:ヴィ zan:ザン'
)
  .split(' ')
  .map((pair) => pair.split(':'));

/** Country, region, weight (how common), and the naming patterns used there. */
const countries = [
  ['US', 'north-america', 14, 'en'],
  ['CA', 'north-america', 4, 'en'],
  ['GB', 'europe', 8, 'en'],
  ['IE', 'europe', 1, 'en'],
  ['FR', 'europe', 5, 'fr'],
  ['DE', 'europe', 6, 'de'],
  ['CH', 'europe', 2, 'de'],
  ['AT', 'europe', 1, 'de'],
  ['ES', 'europe', 3, 'es'],
  ['IT', 'europe', 3, 'it'],
  ['NL', 'europe', 2, 'en'],
  ['SE', 'europe', 2, 'en'],
  ['FI', 'europe', 1, 'en'],
  ['CN', 'asia', 8, 'en'],
  ['KR', 'asia', 5, 'en'],
  ['TW', 'asia', 3, 'en'],
  ['SG', 'asia', 2, 'en'],
  ['IN', 'asia', 4, 'en'],
  ['TH', 'asia', 2, 'en'],
  ['VN', 'asia', 2, 'en'],
  ['ID', 'asia', 2, 'en'],
  ['AU', 'oceania', 4, 'en'],
  ['NZ', 'oceania', 1, 'en'],
  ['BR', 'latin-america', 3, 'pt'],
  ['MX', 'latin-america', 2, 'es'],
  ['CL', 'latin-america', 1, 'es'],
  ['AR', 'latin-america', 1, 'es'],
  ['IL', 'middle-east', 1, 'en'],
  ['AE', 'middle-east', 1, 'en'],
  ['TR', 'middle-east', 1, 'en'],
  ['ZA', 'africa', 1, 'en'],
  ['KE', 'africa', 1, 'en'],
  ['EG', 'africa', 1, 'en'],
];

/** [English name, Japanese name] from a place name and its katakana. */
const patterns = {
  en: [
    (p, k) => [`University of ${p}`, `${k}大学`],
    (p, k) => [`${p} University`, `${k}大学`],
    (p, k) => [`${p} Institute of Technology`, `${k}工科大学`],
    (p, k) => [`Technical University of ${p}`, `${k}工科大学`],
    (p, k) => [`${p} State University`, `${k}州立大学`],
    (p, k) => [`National University of ${p}`, `${k}国立大学`],
    (p, k) => [`${p} University of Science and Technology`, `${k}科学技術大学`],
    (p, k) => [`${p} Medical University`, `${k}医科大学`],
    (p, k) => [`${p} School of Economics`, `${k}経済大学`],
    (p, k) => [`${p} College`, `${k}カレッジ`],
  ],
  fr: [
    (p, k) => [`Université de ${p}`, `${k}大学`],
    (p, k) => [`École normale de ${p}`, `${k}高等師範学校`],
  ],
  de: [
    (p, k) => [`Universität ${p}`, `${k}大学`],
    (p, k) => [`Technische Universität ${p}`, `${k}工科大学`],
  ],
  es: [
    (p, k) => [`Universidad de ${p}`, `${k}大学`],
    (p, k) => [`Universidad Autónoma de ${p}`, `${k}自治大学`],
  ],
  it: [
    (p, k) => [`Università di ${p}`, `${k}大学`],
    (p, k) => [`Politecnico di ${p}`, `${k}工科大学`],
  ],
  pt: [
    (p, k) => [`Universidade de ${p}`, `${k}大学`],
    (p, k) => [`Universidade Federal de ${p}`, `${k}連邦大学`],
  ],
};

const statuses = [
  ['prospective', 50],
  ['strategic', 30],
  ['primary', 5],
  ['ended', 15],
];

const fields = [
  'materials science',
  'public health',
  'climate research',
  'quantum computing',
  'economics',
  'Japanese studies',
  'marine biology',
  'robotics',
  'urban planning',
  'philosophy',
  'astrophysics',
  'agriculture',
  'international law',
  'neuroscience',
  'energy systems',
];
const fieldsJa = [
  '材料科学',
  '公衆衛生',
  '気候研究',
  '量子計算',
  '経済学',
  '日本研究',
  '海洋生物学',
  'ロボット工学',
];

/**
 * `count` partners with distinct names, as `registry.partner` insert values (camelCase, for
 * Kysely with the CamelCasePlugin). Names are fictional, so they cannot clash with the seed's.
 */
export function generatePartners(count, seed = 20_240_601) {
  const random = prng(seed);
  const pick = (list) => list[Math.floor(random() * list.length)];
  const weighted = (list, weightOf) => {
    let r = random() * list.reduce((sum, item) => sum + weightOf(item), 0);
    for (const item of list) if ((r -= weightOf(item)) < 0) return item;
    return list.at(-1);
  };
  const chance = (p) => random() < p;
  const between = (from, to) => new Date(from + random() * (to - from));

  const place = () => {
    const parts = Array.from({ length: 2 + Math.floor(random() * 2) }, () => pick(syllables));
    const latin = parts.map(([s]) => s).join('');
    return [latin[0].toUpperCase() + latin.slice(1), parts.map(([, k]) => k).join('')];
  };

  const names = new Set();
  const partners = [];
  const earliest = Date.UTC(2019, 0, 1);
  const latest = Date.UTC(2025, 9, 31);
  while (partners.length < count) {
    const [country, region, , style] = weighted(countries, (c) => c[2]);
    const [placeName, placeKana] = place();
    const [nameEn, nameJa] = pick(chance(0.7) ? patterns[style] : patterns.en)(
      placeName,
      placeKana,
    );
    if (names.has(nameEn.toLowerCase())) continue;
    names.add(nameEn.toLowerCase());

    const slug = nameEn
      .normalize('NFD')
      .replace(/[^A-Za-z ]/g, '')
      .toLowerCase()
      .split(' ')
      .filter((w) => w.length > 3)
      .join('-');
    const createdAt = between(earliest, latest);
    const field = pick(fields);
    partners.push({
      nameEn,
      nameJa: chance(0.75) ? nameJa : null,
      country,
      region: chance(0.95) ? region : null,
      website: chance(0.9)
        ? `https://www.${slug}.${country === 'US' ? 'edu' : `ac.${country.toLowerCase()}`}/`
        : null,
      status: weighted(statuses, (s) => s[1])[0],
      statusSince: between(Date.UTC(2010, 0, 1), latest)
        .toISOString()
        .slice(0, 10),
      // A few partners are consortia of several institutions.
      memberInstitutions: chance(0.05)
        ? Array.from({ length: 2 + Math.floor(random() * 3) }, () => `University of ${place()[0]}`)
        : [],
      summaryEn: chance(0.6)
        ? [
            `Partnership centred on ${field}`,
            chance(0.5)
              ? `, with joint supervision of doctoral students since ${2010 + Math.floor(random() * 15)}`
              : '',
            '.',
            chance(0.4) ? ` Exchanges in ${pick(fields)} and ${pick(fields)} run every year.` : '',
            chance(0.2)
              ? ' A joint symposium is held in alternate years, in Tokyo and on the partner campus.'
              : '',
          ].join('')
        : null,
      summaryJa: chance(0.3)
        ? `${pick(fieldsJa)}分野を中心とした共同研究と学生交流を行う協定校。`
        : null,
      createdAt,
      updatedAt: new Date(Math.min(latest, createdAt.getTime() + random() * 400 * 86_400_000)),
    });
  }
  return partners;
}
