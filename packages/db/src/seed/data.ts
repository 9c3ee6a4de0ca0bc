/**
 * The demo data: public facts about the University of Tokyo's Strategic Partnerships
 * Project (its programme page and public news about it). Tests may rely on these rows.
 */

export const programme = {
  name: 'Strategic Partnerships Project of the University of Tokyo (UTokyo)',
  foundations:
    'Builds on department-level strategic partnership frameworks set up between 2014 and 2016.',
  supportedBy: 'Division for Global Campus Initiatives',
  symposiumsHeldBy: 'Division of International Affairs',
  inquiriesTo: 'International Projects Promotion Group',
  campuses: ['hongo', 'komaba', 'kashiwa'],
  primaryPartnerSlots: 9,
  reports: [{ title: 'Second UTokyo Strategic Partnership Report', issuedOn: '2016-06-16' }],
} as const;

export type SeedAgreement = {
  kind: 'memorandum' | 'strategic-partnership';
  title: string;
  signedOn?: string;
  signedYear?: number;
  renewedOn?: string;
  note?: string;
};

export type SeedPartner = {
  nameEn: string;
  nameJa: string;
  country: string;
  region: 'asia' | 'oceania' | 'europe' | 'north-america';
  website: string;
  status: 'primary' | 'prospective';
  statusSince: string;
  memberInstitutions?: string[];
  summaryEn?: string;
  agreements: SeedAgreement[];
};

/**
 * Eight of the nine primary strategic partners are named by public pages; the ninth slot is
 * left for staff to fill (the programme has nine: `programme.primaryPartnerSlots`).
 */
export const partners: SeedPartner[] = [
  {
    nameEn: 'Princeton University',
    nameJa: 'プリンストン大学',
    country: 'US',
    region: 'north-america',
    website: 'https://www.princeton.edu/',
    status: 'primary',
    statusSince: '2013-01-01',
    agreements: [
      {
        kind: 'memorandum',
        title: 'Memorandum on strategic partnership',
        signedYear: 2013,
        note: 'Renewed in January 2023 for a third five-year period.',
      },
    ],
  },
  {
    nameEn: 'University of Cambridge',
    nameJa: 'ケンブリッジ大学',
    country: 'GB',
    region: 'europe',
    website: 'https://www.cam.ac.uk/',
    status: 'primary',
    statusSince: '2015-03-04',
    agreements: [
      {
        kind: 'strategic-partnership',
        title: 'Strategic partnership agreement',
        signedOn: '2015-03-04',
        note: 'Extended in 2020 for five years.',
      },
    ],
  },
  {
    nameEn: 'Australian National University',
    nameJa: 'オーストラリア国立大学',
    country: 'AU',
    region: 'oceania',
    website: 'https://www.anu.edu.au/',
    status: 'primary',
    statusSince: '2015-03-04',
    agreements: [
      {
        kind: 'strategic-partnership',
        title: 'Strategic partnership engagement',
        signedOn: '2015-03-04',
      },
    ],
  },
  {
    nameEn: 'Peking University',
    nameJa: '北京大学',
    country: 'CN',
    region: 'asia',
    website: 'https://english.pku.edu.cn/',
    status: 'primary',
    statusSince: '2015-01-01',
    agreements: [
      {
        kind: 'strategic-partnership',
        title: 'Strategic partnership agreement',
        signedYear: 2015,
        note: 'Reported in 2015.',
      },
    ],
  },
  {
    nameEn: 'ETH Zurich',
    nameJa: 'チューリッヒ工科大学',
    country: 'CH',
    region: 'europe',
    website: 'https://ethz.ch/',
    status: 'primary',
    statusSince: '2016-01-01',
    agreements: [
      {
        kind: 'memorandum',
        title: 'Memorandum on strategic partnership',
        signedYear: 2016,
        note: 'Renewed in 2016.',
      },
    ],
  },
  {
    nameEn: 'Seoul National University',
    nameJa: 'ソウル大学校',
    country: 'KR',
    region: 'asia',
    website: 'https://en.snu.ac.kr/',
    status: 'primary',
    statusSince: '2016-07-22',
    agreements: [
      { kind: 'memorandum', title: 'Memorandum on strategic partnership', signedOn: '2016-07-22' },
    ],
  },
  {
    nameEn: 'Stockholm Trio',
    nameJa: 'ストックホルム・トリオ',
    country: 'SE',
    region: 'europe',
    website: 'https://www.su.se/',
    status: 'primary',
    statusSince: '2017-09-25',
    memberInstitutions: [
      'Stockholm University',
      'KTH Royal Institute of Technology',
      'Karolinska Institutet',
    ],
    summaryEn: 'One strategic partner made of three Stockholm institutions.',
    agreements: [
      {
        kind: 'strategic-partnership',
        title: 'Strategic partnership agreement',
        signedOn: '2017-09-25',
        renewedOn: '2022-06-01',
      },
    ],
  },
  {
    nameEn: 'Tsinghua University',
    nameJa: '清華大学',
    country: 'CN',
    region: 'asia',
    website: 'https://www.tsinghua.edu.cn/en/',
    status: 'primary',
    statusSince: '2018-07-23',
    agreements: [
      { kind: 'memorandum', title: 'Memorandum on strategic partnership', signedOn: '2018-07-23' },
    ],
  },
  {
    nameEn: 'Vietnam National University, Hanoi',
    nameJa: 'ベトナム国家大学ハノイ校',
    country: 'VN',
    region: 'asia',
    website: 'https://vnu.edu.vn/',
    status: 'prospective',
    statusSince: '2021-03-16',
    summaryEn:
      'Prospective strategic partner; its activities were presented at the Sixth UTokyo Strategic Partnership Symposium.',
    agreements: [],
  },
];

export type SeedDocument = {
  kind: 'report' | 'announcement' | 'panel-summary' | 'video';
  language: 'en' | 'ja';
  title: string;
  publishedIn?: string;
};

export type SeedSymposium = {
  edition: number | null;
  titleEn: string;
  heldOn: string;
  campus: 'hongo' | null;
  venue: string | null;
  format: 'in-person' | 'online' | null;
  status: 'held' | 'report-published';
  participants: number | null;
  participantsQualifier: 'about' | 'over' | null;
  organiser: string;
  note?: string;
  documents: SeedDocument[];
};

const DIA = 'Division of International Affairs';

/** Newest first, as on the public page. */
export const symposiums: SeedSymposium[] = [
  {
    edition: null,
    titleEn: 'Strategic Partnership Symposium',
    heldOn: '2022-03-15',
    campus: null,
    venue: null,
    format: 'online',
    status: 'report-published',
    participants: null,
    participantsQualifier: null,
    organiser: DIA,
    note: 'Held online by UTokyo as lead of a network project of the Japan Forum for Internationalization of Universities.',
    documents: [
      { kind: 'report', language: 'en', title: 'Report' },
      { kind: 'video', language: 'en', title: 'The University of Tokyo YouTube' },
    ],
  },
  {
    edition: 6,
    titleEn: 'Sixth UTokyo Strategic Partnership Symposium',
    heldOn: '2021-03-16',
    campus: null,
    venue: null,
    format: 'online',
    status: 'held',
    participants: 70,
    participantsQualifier: 'about',
    organiser: DIA,
    documents: [],
  },
  {
    edition: 5,
    titleEn: 'Fifth UTokyo Strategic Partnership Symposium',
    heldOn: '2019-03-07',
    campus: 'hongo',
    venue: 'Koshiba Hall',
    format: 'in-person',
    status: 'held',
    participants: 100,
    participantsQualifier: 'about',
    organiser: DIA,
    documents: [
      {
        kind: 'announcement',
        language: 'en',
        title: 'Announcement',
        publishedIn: 'Topics (March 2019)',
      },
    ],
  },
  {
    edition: 4,
    titleEn: 'Fourth UTokyo Strategic Partnership Symposium',
    heldOn: '2018-03-06',
    campus: 'hongo',
    venue: 'Koshiba Hall',
    format: 'in-person',
    status: 'report-published',
    participants: 100,
    participantsQualifier: 'about',
    organiser: DIA,
    documents: [{ kind: 'panel-summary', language: 'en', title: 'Summary of Panel Discussion' }],
  },
  {
    edition: 3,
    titleEn: 'Third UTokyo Strategic Partnership Symposium',
    heldOn: '2017-03-17',
    campus: null,
    venue: null,
    format: null,
    status: 'report-published',
    participants: null,
    participantsQualifier: null,
    organiser: DIA,
    documents: [
      {
        kind: 'announcement',
        language: 'en',
        title: 'Announcement',
        publishedIn: 'Topics (March 2017)',
      },
      { kind: 'report', language: 'en', title: 'Report' },
    ],
  },
  {
    edition: 2,
    titleEn: 'Second UTokyo Strategic Partnership Symposium',
    heldOn: '2016-03-14',
    campus: 'hongo',
    venue: 'Science Building No. 2 auditorium',
    format: 'in-person',
    status: 'report-published',
    participants: 100,
    participantsQualifier: 'over',
    organiser: DIA,
    documents: [
      {
        kind: 'announcement',
        language: 'en',
        title: 'Announcement',
        publishedIn: 'Topics (March 2016)',
      },
      { kind: 'report', language: 'en', title: 'Report' },
    ],
  },
  {
    edition: 1,
    titleEn: 'First UTokyo Strategic Partnership Symposium',
    heldOn: '2015-04-20',
    campus: null,
    venue: null,
    format: null,
    status: 'report-published',
    participants: null,
    participantsQualifier: null,
    organiser: DIA,
    documents: [
      {
        kind: 'announcement',
        language: 'en',
        title: 'Announcement',
        publishedIn: 'Topics (May 2015)',
      },
      { kind: 'report', language: 'ja', title: 'Report' },
    ],
  },
];
