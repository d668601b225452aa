// Synthetic English news-like text for the benchmarks: seeded, so that Node
// and the browser build exactly the same string from the same (seed, size).
// Every sentence pattern and name list here was written for this file; no
// corpus text is used. Pure ES module without Node imports: bench/page.mjs
// imports it in the page, bench/run.mjs in Node.
//
// The text is ASCII plus a few Latin-1 letters (all in the BMP), so string
// indices, UTF-16 units and code points agree.

// mulberry32: a small, good-enough seeded PRNG.
function rng(seed) {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const FIRST = `James Maria Wei Fatima Olga Pedro Aisha Lars Yuki Carlos Amara Dmitri Sofia
Kwame Ingrid Rahul Chiara Tomasz Leila Hiroshi Nadia Samuel Elena Jonas Priya Mateo
Grace Ahmed Zofia Luca Hannah Oluwaseun Mei Rafael Anika Viktor Isabel Kenji Marta
Omar Claire Tariq Astrid Diego Helen Sipho Noor Ivan Beatriz Felix Ruth Andrzej
Catherine Thabo Jamal Miriam Stefan Lucia Hugo Ewa Daniel Zainab Paolo Ines Mikhail`.split(/\s+/);

const LAST = `Okafor Lindqvist Tanaka Moreau Novak Schmidt Haddad Ferreira Kowalski Nakamura
Brennan Castillo Petrov Mensah Rossi Johansson Chowdhury Dubois Weber Alvarez Kim
Osei Horvath Fischer Costa Nguyen Mbeki Larsen Gallagher Romero Ivanova Sato Banda
Keller Moretti Walsh Ortega Akhtar Fontaine Berg Mwangi Delgado Yilmaz Sorensen
Hartmann Adeyemi Varga Lopez Murphy Kaplan Andersen Bianchi Mahmoud Coleman Reyes`.split(/\s+/);

const CITY = `London Paris Berlin Madrid Rome Lisbon Warsaw Vienna Prague Budapest Athens
Stockholm Oslo Helsinki Copenhagen Dublin Brussels Amsterdam Geneva Zurich Milan
Lagos Nairobi Cairo Johannesburg Accra Tokyo Osaka Seoul Beijing Shanghai Mumbai
Delhi Jakarta Manila Sydney Melbourne Toronto Montreal Chicago Boston Houston
Denver Seattle Atlanta Lima Bogota Santiago Caracas Istanbul Ankara Tehran Riyadh
Doha Dubai Karachi Dhaka Hanoi Bangkok Singapore Frankfurt Hamburg Munich Lyon
Marseille Barcelona Seville Porto Krakow Gdansk Kyiv Minsk Tbilisi Baku`.split(/\s+/)
  .concat(['New York', 'Los Angeles', 'San Francisco', 'Rio de Janeiro', 'Buenos Aires',
    'Mexico City', 'Hong Kong', 'Cape Town', 'Abu Dhabi', 'Kuala Lumpur', 'São Paulo', 'Málaga']);

const COUNTRY = `France Germany Spain Italy Portugal Poland Austria Hungary Greece Sweden
Norway Finland Denmark Ireland Belgium Switzerland Nigeria Kenya Egypt Ghana Japan
China India Indonesia Australia Canada Brazil Argentina Chile Peru Colombia Mexico
Turkey Iran Pakistan Bangladesh Vietnam Thailand Malaysia Ukraine Georgia Morocco
Ethiopia Senegal Tanzania Uganda Zambia Qatar Israel Jordan Lebanon Iraq`.split(/\s+/)
  .concat(['the United States', 'Britain', 'South Africa', 'South Korea', 'New Zealand',
    'Saudi Arabia', 'the Netherlands', 'the Czech Republic']);

const NATIONALITY = `French German Spanish Italian Polish Austrian Greek Swedish Norwegian
Irish Belgian Swiss Nigerian Kenyan Egyptian Japanese Chinese Indian Indonesian
Australian Canadian Brazilian Argentine Chilean Mexican Turkish Iranian Ukrainian
British American Dutch Danish Finnish Korean Vietnamese Thai Moroccan`.split(/\s+/);

const ORG = ['the United Nations', 'the European Commission', 'the World Bank',
  'the International Monetary Fund', 'NATO', 'the World Health Organization', 'UNICEF',
  'the Red Cross', 'Reuters', 'the Associated Press', 'Siemens', 'Volkswagen', 'Toyota',
  'Samsung', 'Microsoft', 'Nestle', 'Unilever', 'Shell', 'BP', 'Airbus', 'Boeing',
  'Deutsche Bank', 'HSBC', 'Goldman Sachs', 'the Bank of England', 'the Federal Reserve',
  'the European Central Bank', 'Interpol', 'Greenpeace', 'Amnesty International',
  'the Labour Party', 'the Conservative Party', 'the Social Democrats', 'the Green Party',
  'Real Madrid', 'Manchester United', 'Bayern Munich', 'Juventus', 'Ajax',
  'Northfield Logistics', 'Harbor Steel Corp', 'Bluewater Energy', 'Crestline Pharma',
  'Pinecrest Capital', 'Meridian Airlines', 'Atlas Mining Group', 'Silverline Telecom',
  'Orion Motors', 'Kestrel Systems Inc', 'Vantage Foods Ltd', 'Halcyon Insurance',
  'the Ministry of Finance', 'the Ministry of Defence', 'the Supreme Court',
  'the University of Oxford', 'Harvard University', 'Stanford University',
  'the National Statistics Office', 'the Central Election Commission', 'OPEC', 'FIFA',
  'the International Olympic Committee', 'the African Union', 'ASEAN'];

const ROLE = ['Prime Minister', 'President', 'Foreign Minister', 'Finance Minister',
  'chief executive', 'spokeswoman', 'spokesman', 'coach', 'striker', 'governor',
  'mayor', 'chairman', 'general secretary', 'senior analyst', 'opposition leader',
  'defence minister', 'central bank governor', 'lead researcher'];

const EVENT = ['the World Cup', 'the Olympic Games', 'the Davos forum', 'the G20 summit',
  'the Tour de France', 'Wimbledon', 'the Cannes Film Festival', 'the Euro 2028 finals',
  'the Champions League final', 'the Paris Air Show', 'the Frankfurt Book Fair'];

const MONTH = `January February March April May June July August September October November December`.split(' ');
const WEEKDAY = `Monday Tuesday Wednesday Thursday Friday Saturday Sunday`.split(' ');
const UNIT = ['tonnes', 'kilometres', 'barrels', 'litres', 'hectares', 'megawatts', 'square metres'];
const THING = ['wheat', 'crude oil', 'steel', 'copper', 'natural gas', 'rice', 'coffee', 'cocoa', 'timber'];
const TOPIC = ['inflation', 'the budget deficit', 'interest rates', 'the trade dispute',
  'climate policy', 'the ceasefire talks', 'migration', 'the energy crisis', 'public health',
  'the pension reform', 'housing prices', 'the election results', 'the transfer window'];
const VERB_SAID = ['said', 'told reporters', 'said in a statement', 'told a news conference',
  'wrote on social media', 'said on', 'told parliament'];

// Sentence patterns. {X} slots are filled below; everything else is literal.
const SENTENCES = [
  '{PER}, the {NAT} {ROLE}, met {PER2} in {CITY} on {DAY} to discuss {TOPIC}.',
  '{ORG} said on {DAY} that it would cut {NUM} jobs in {COUNTRY} by {YEAR}.',
  'Shares in {ORG} rose {PCT} to {MONEY} in early trading in {CITY}.',
  '"We are not going to accept this," {SURNAME} {SAID} {DAY}.',
  'The {ROLE} of {ORG}, {PER}, is expected to resign before {DATE}.',
  '{COUNTRY} exported {NUM} {UNIT} of {THING} in {MONTH}, up {PCT} from a year earlier.',
  'Police in {CITY} arrested {SMALL} people after protests outside the offices of {ORG}.',
  '{PER} scored twice as {ORG} beat {ORG2} {SCORE} in {CITY} on {DAY} night.',
  'The deal, worth about {MONEY}, still needs approval from {ORG}.',
  'Inflation in {COUNTRY} slowed to {PCT} in {MONTH}, the lowest since {YEAR}.',
  '{PER} will travel to {CITY} and {CITY2} next week ahead of {EVENT}.',
  'According to {ORG}, {NUM} people have been displaced since {DATE}.',
  'The {ORDINAL} round of talks between {COUNTRY} and {COUNTRY2} ended without agreement.',
  '{SURNAME}, who joined {ORG} in {YEAR}, declined to comment.',
  'The meeting starts at {TIME} local time in {CITY}, officials said.',
  'Analysts at {ORG} expect growth of {PCT} this year and {PCT2} in {YEAR2}.',
  '{NAT} officials said the new pipeline would carry {NUM} {UNIT} a day from {COUNTRY} to {COUNTRY2}.',
  'The company reported a net profit of {MONEY} for the quarter ended {DATE}.',
  'More details are available at {URL} or by writing to {EMAIL}.',
  '{PER} was born in {CITY} in {YEAR} and studied at {ORG}.',
  'Turnout was {PCT}, {ORG} said, with {NUM} votes counted by {TIME} on {DAY}.',
  'It was the {ORDINAL} time since {YEAR} that {COUNTRY} had hosted {EVENT}.',
  '{PER} and {PER2} signed the agreement in {CITY} on {DATE}.',
  'The storm left {NUM} homes in the north of {COUNTRY} without power on {DAY}.',
  '"The figures speak for themselves," said {PER}, a {ROLE} at {ORG}.',
  'Prices of {THING} fell {PCT} on {DAY} after {ORG} raised its output forecast.',
  '{ORG} fined {ORG2} {MONEY} for breaching competition rules.',
  'The bridge, {QTY} long, links {CITY} with the mainland.',
  'Rescue teams worked through the night, and {SMALL} bodies were recovered by {DAY}.',
  'The court in {CITY} adjourned the case until {DATE}.',
  '{SURNAME} said talks with {ORG} would resume in {MONTH}.',
  'Nobody expected the vote to be this close, and the count went on well past midnight.',
  'Officials have not said how much the project will cost or when it will be finished.',
  'Her lawyers said they would appeal, and the hearing is likely to take weeks.',
  'The government denied the report and called it irresponsible.',
  'Traffic was stopped for several hours while engineers inspected the damage.',
  'The plan has been criticised by unions, which say it will hurt workers on low pay.',
  'Critics argue that the measures come too late to make a real difference.',
  'The decision was welcomed by business groups but drew sharp criticism from environmental campaigners.',
  'Several ministers are said to have argued against the move in a heated cabinet meeting.',
  'Residents said the water had risen faster than anyone could remember.',
  'The talks are expected to continue for at least another week, diplomats said.',
  'Investors remain cautious, and trading volumes were thin for most of the session.',
  'The proposal would need the support of a majority in both chambers to become law.',
  'Doctors at the hospital said most of the injured were in a stable condition.',
  'It is not yet clear whether the new rules will apply to existing contracts.',
  'Local newspapers reported that the building had failed two safety inspections.',
  'The team has won only one of its last six matches and sits near the bottom of the table.',
  'A spokesperson for the ministry said the figures would be reviewed in the coming months.',
  'Supporters gathered outside the courthouse long before the verdict was read out.',
];

const HEADLINE = [
  '{ORG} to cut {NUM} jobs in {COUNTRY}',
  '{PER} wins {CITY} marathon',
  '{COUNTRY} and {COUNTRY2} agree on trade deal',
  '{NAT} inflation falls to {PCT}',
  '{ORG} profit rises on strong demand',
  'Floods hit {CITY} as river bursts banks',
];

function pick(r, list) {
  return list[Math.floor(r() * list.length)];
}

function num(r) {
  const k = r();
  if (k < 0.4) return String(2 + Math.floor(r() * 998));
  if (k < 0.8) return String(1 + Math.floor(r() * 99)) + ',' + String(Math.floor(r() * 1000)).padStart(3, '0');
  return `${1 + Math.floor(r() * 30)} million`;
}

function fill(r, pattern) {
  return pattern.replace(/\{([A-Z]+)(\d?)\}/g, (_, slot) => {
    switch (slot) {
      case 'PER': return `${pick(r, FIRST)} ${pick(r, LAST)}`;
      case 'SURNAME': return pick(r, LAST);
      case 'NAT': return pick(r, NATIONALITY);
      case 'ROLE': return pick(r, ROLE);
      case 'CITY': return pick(r, CITY);
      case 'COUNTRY': return pick(r, COUNTRY);
      case 'ORG': return pick(r, ORG);
      case 'EVENT': return pick(r, EVENT);
      case 'TOPIC': return pick(r, TOPIC);
      case 'THING': return pick(r, THING);
      case 'UNIT': return pick(r, UNIT);
      case 'SAID': return pick(r, VERB_SAID);
      case 'DAY': return pick(r, WEEKDAY);
      case 'MONTH': return pick(r, MONTH);
      case 'YEAR': return String(1960 + Math.floor(r() * 70));
      case 'DATE': return `${1 + Math.floor(r() * 28)} ${pick(r, MONTH)} ${2000 + Math.floor(r() * 30)}`;
      case 'TIME': return `${1 + Math.floor(r() * 12)}:${String(Math.floor(r() * 60)).padStart(2, '0')} ${r() < 0.5 ? 'a.m.' : 'p.m.'}`;
      case 'NUM': return num(r);
      case 'SMALL': return String(2 + Math.floor(r() * 60));
      case 'SCORE': return `${1 + Math.floor(r() * 4)}-${Math.floor(r() * 2)}`;
      case 'PCT': return `${(r() * 20).toFixed(1)} percent`;
      case 'MONEY': {
        const cur = pick(r, ['$', '€', '£']);
        return r() < 0.5 ? `${cur}${(1 + r() * 900).toFixed(2)}` : `${cur}${1 + Math.floor(r() * 90)} billion`;
      }
      case 'QTY': return `${(1 + r() * 40).toFixed(1)} kilometres`;
      case 'ORDINAL': return pick(r, ['first', 'second', 'third', 'fourth', 'fifth', '10th', '21st']);
      case 'URL': return `https://www.${pick(r, LAST).toLowerCase()}-news.example.org/${Math.floor(r() * 9000) + 1000}`;
      case 'EMAIL': return `press@${pick(r, LAST).toLowerCase()}.example.com`;
      default: throw new Error(`no slot ${slot}`);
    }
  });
}

function article(r) {
  const h = fill(r, pick(r, HEADLINE));
  const head = h[0].toUpperCase() + h.slice(1);
  const dateline = `${pick(r, CITY).toUpperCase()}, ${pick(r, MONTH)} ${1 + Math.floor(r() * 28)} (${pick(r, ['Reuters', 'AP', 'AFP', 'Staff'])}) - `;
  const paras = [];
  const np = 3 + Math.floor(r() * 5);
  for (let p = 0; p < np; p++) {
    const ns = 2 + Math.floor(r() * 4);
    const s = [];
    for (let i = 0; i < ns; i++) s.push(fill(r, pick(r, SENTENCES)));
    paras.push((p === 0 ? dateline : '') + s.join(' '));
  }
  return `${head}\n\n${paras.join('\n\n')}`;
}

// Articles (strings) whose joined length (with "\n\n" between) is at least
// `size` UTF-16 units; the same (size, seed) gives the same articles. With
// `maxChars`, only the first articles that fit in it (at least one).
export function articles(size, seed = 20261127, maxChars = Infinity) {
  const r = rng(seed);
  const out = [];
  let len = 0;
  while (len < size) {
    const a = article(r);
    if (out.length && len + a.length > maxChars) break;
    out.push(a);
    len += a.length + 2;
  }
  return out;
}

// One document of at least `size` characters.
export function newsText(size, seed) {
  return articles(size, seed).join('\n\n');
}

// A cheap checksum, to check that Node and the page built the same text.
export function checksum(s) {
  let h = 2166136261;
  for (let i = 0; i < s.length; i++) h = Math.imul(h ^ s.charCodeAt(i), 16777619);
  return `${s.length}:${(h >>> 0).toString(16)}`;
}
