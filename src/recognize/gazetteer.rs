//! The `Gazetteer` stage: phrase lists matched (case-sensitive, leftmost
//! longest) on whole tokens only: a match must start at a token's start and
//! end at a token's end, so "Iran" is not found in "Iranian" and "Germany" is
//! found in "Germany's" (`Germany` `'s`).
//!
//! Phrases are looked up, not searched for: a token start whose word (its
//! run of letters and digits) begins some phrase tries the token ends within
//! that word's longest phrase, longest first. The table is a hash map built
//! in a fraction of a millisecond; the Aho-Corasick automaton it replaced
//! took 25 ms to build in a fresh page, where the standard lists are built
//! before the first highlight, and searched every byte of the text.
//!
//! [`Gazetteer::standard`] holds lists written for this project: countries and
//! common short forms, capitals and major cities, regions, US states -> LOC;
//! nationalities and demonyms, a few events -> MISC; well-known organisations
//! -> ORG. [`Gazetteer::new`] builds one from any `(label, phrases)` lists, for
//! user gazetteers.

use super::{Candidate, Context, Stage};
use crate::doc::Source;
use std::collections::HashMap;

/// A phrase-list stage. `Send + Sync`.
pub struct Gazetteer {
    /// Each phrase's label (an index into `labels`).
    phrases: HashMap<Box<str>, u32>,
    /// The first word of some phrase -> the longest such phrase, in bytes.
    first: HashMap<Box<str>, usize>,
    /// Whether some phrase starts with this byte: most tokens are turned
    /// away here, before any hashing.
    first_bytes: [bool; 256],
    labels: Vec<String>,
    score: f32,
    source: Source,
}

/// A phrase's first word: its leading letters and digits (or its first
/// character, when that is neither). Taken the same way from the text at a
/// token's start, it is the phrase's whenever the phrase is there.
fn first_word(s: &str) -> &str {
    let end = s
        .char_indices()
        .find(|&(_, c)| !c.is_alphanumeric())
        .map_or(s.len(), |(i, _)| i);
    if end > 0 {
        &s[..end]
    } else {
        s.chars().next().map_or("", |c| &s[..c.len_utf8()])
    }
}

impl Gazetteer {
    /// Builds a gazetteer from `(label, phrases)` lists. A phrase listed twice
    /// keeps its first label; empty and all-whitespace phrases are ignored.
    pub fn new<L, P, I>(lists: impl IntoIterator<Item = (L, I)>) -> Gazetteer
    where
        L: AsRef<str>,
        P: AsRef<str>,
        I: IntoIterator<Item = P>,
    {
        let mut labels: Vec<String> = Vec::new();
        let mut phrases = HashMap::new();
        let mut first: HashMap<Box<str>, usize> = HashMap::new();
        let mut first_bytes = [false; 256];
        for (label, list) in lists {
            let label = label.as_ref();
            let li = match labels.iter().position(|l| l == label) {
                Some(i) => i,
                None => {
                    labels.push(label.to_string());
                    labels.len() - 1
                }
            };
            for p in list {
                let p = p.as_ref();
                if p.trim().is_empty() || p.trim() != p || phrases.contains_key(p) {
                    continue;
                }
                phrases.insert(p.into(), li as u32);
                let longest = first.entry(first_word(p).into()).or_insert(0);
                *longest = (*longest).max(p.len());
                first_bytes[p.as_bytes()[0] as usize] = true;
            }
        }
        Gazetteer {
            phrases,
            first,
            first_bytes,
            labels,
            score: 0.9,
            source: Source::Rule,
        }
    }

    /// Sets the score every match gets (default 0.9).
    pub fn with_score(mut self, score: f32) -> Gazetteer {
        self.score = score;
        self
    }

    /// Sets the source every match gets (default `Source::Rule`).
    pub fn with_source(mut self, source: Source) -> Gazetteer {
        self.source = source;
        self
    }

    /// Number of phrases.
    pub fn len(&self) -> usize {
        self.phrases.len()
    }

    pub fn is_empty(&self) -> bool {
        self.phrases.is_empty()
    }

    /// The built-in lists: places (LOC), nationalities and events (MISC),
    /// organisations (ORG).
    pub fn standard() -> Gazetteer {
        let list = |parts: &[&[&'static str]]| -> Vec<&'static str> { parts.concat() };
        Gazetteer::new([
            ("LOC", list(&[COUNTRIES, PLACES, US_STATES])),
            ("MISC", list(&[DEMONYMS, EVENTS])),
            ("ORG", list(&[ORGANISATIONS])),
        ])
    }
}

impl Stage for Gazetteer {
    fn name(&self) -> &'static str {
        "gazetteer"
    }

    fn find(&self, cx: &Context, out: &mut Vec<Candidate>) {
        let (text, tokens) = (cx.text, cx.tokens);
        let mut i = 0;
        while i < tokens.len() {
            let start = tokens[i].start;
            let longest = if self.first_bytes[text.as_bytes()[start] as usize] {
                self.first.get(first_word(&text[start..])).copied()
            } else {
                None
            };
            let Some(longest) = longest else {
                i += 1;
                continue;
            };
            let reach = tokens[i..]
                .iter()
                .take_while(|t| t.end - start <= longest)
                .count();
            let found = (i..i + reach).rev().find_map(|k| {
                let label = self.phrases.get(&text[start..tokens[k].end])?;
                Some((k, *label))
            });
            match found {
                Some((k, label)) => {
                    out.push(Candidate {
                        start,
                        end: tokens[k].end,
                        label: self.labels[label as usize].clone(),
                        source: self.source,
                        score: self.score,
                    });
                    i = k + 1;
                }
                None => i += 1,
            }
        }
    }
}

/// Countries and common short forms.
#[rustfmt::skip]
pub const COUNTRIES: &[&str] = &[
    "Afghanistan", "Albania", "Algeria", "Andorra", "Angola", "Antigua and Barbuda", "Argentina",
    "Armenia", "Australia", "Austria", "Azerbaijan", "Bahamas", "Bahrain", "Bangladesh", "Barbados",
    "Belarus", "Belgium", "Belize", "Benin", "Bhutan", "Bolivia", "Bosnia",
    "Bosnia and Herzegovina", "Herzegovina", "Botswana", "Brazil", "Brunei", "Bulgaria",
    "Burkina Faso", "Burundi", "Cambodia", "Cameroon", "Canada", "Cape Verde",
    "Central African Republic", "Chad", "Chile", "China", "Colombia", "Comoros", "Congo",
    "Democratic Republic of Congo", "Costa Rica", "Croatia", "Cuba", "Cyprus", "Czech Republic",
    "Czechia", "Denmark", "Djibouti", "Dominica", "Dominican Republic", "East Timor", "Ecuador",
    "Egypt", "El Salvador", "Equatorial Guinea", "Eritrea", "Estonia", "Eswatini", "Ethiopia",
    "Fiji", "Finland", "France", "Gabon", "Gambia", "Georgia", "Germany", "Ghana", "Greece",
    "Grenada", "Guatemala", "Guinea", "Guinea-Bissau", "Guyana", "Haiti", "Honduras", "Hungary",
    "Iceland", "India", "Indonesia", "Iran", "Iraq", "Ireland", "Israel", "Italy", "Ivory Coast",
    "Jamaica", "Japan", "Jordan", "Kazakhstan", "Kenya", "Kiribati", "Kosovo", "Kuwait",
    "Kyrgyzstan", "Laos", "Latvia", "Lebanon", "Lesotho", "Liberia", "Libya", "Liechtenstein",
    "Lithuania", "Luxembourg", "Madagascar", "Malawi", "Malaysia", "Maldives", "Mali", "Malta",
    "Marshall Islands", "Mauritania", "Mauritius", "Mexico", "Micronesia", "Moldova", "Monaco",
    "Mongolia", "Montenegro", "Morocco", "Mozambique", "Myanmar", "Burma", "Namibia", "Nauru",
    "Nepal", "Netherlands", "Holland", "New Zealand", "Nicaragua", "Niger",
    "Nigeria", "North Korea", "North Macedonia", "Macedonia", "Norway", "Oman", "Pakistan", "Palau",
    "Palestine", "Panama", "Papua New Guinea", "Paraguay", "Peru", "Philippines", "Poland",
    "Portugal", "Qatar", "Romania", "Russia", "Rwanda", "Saint Lucia", "Samoa", "San Marino",
    "Saudi Arabia", "Senegal", "Serbia", "Seychelles", "Sierra Leone", "Singapore", "Slovakia",
    "Slovenia", "Solomon Islands", "Somalia", "South Africa", "South Korea", "South Sudan", "Spain",
    "Sri Lanka", "Sudan", "Suriname", "Swaziland", "Sweden", "Switzerland", "Syria", "Taiwan",
    "Tajikistan", "Tanzania", "Thailand", "Togo", "Tonga", "Trinidad and Tobago", "Tunisia",
    "Turkey", "Turkmenistan", "Tuvalu", "Uganda", "Ukraine", "United Arab Emirates", "UAE",
    "United Kingdom", "Britain", "Great Britain", "UK", "U.K.", "England", "Scotland", "Wales",
    "Northern Ireland", "United States", "United States of America", "U.S.", "US", "USA", "U.S.A.",
    "America", "Uruguay", "Uzbekistan", "Vanuatu", "Vatican", "Venezuela", "Vietnam", "Yemen",
    "Zambia", "Zimbabwe", "Soviet Union", "USSR", "Yugoslavia", "Czechoslovakia", "East Germany",
    "West Germany", "Korea", "Greenland", "Puerto Rico", "Hong Kong", "Macau", "Tibet", "Chechnya",
    "Kurdistan",
];

/// Capitals, major cities and regions.
#[rustfmt::skip]
pub const PLACES: &[&str] = &[
    "Kabul", "Tirana", "Algiers", "Luanda", "Buenos Aires", "Yerevan", "Canberra", "Sydney",
    "Melbourne", "Brisbane", "Perth", "Vienna", "Baku", "Manama", "Dhaka", "Minsk", "Brussels",
    "Antwerp", "La Paz", "Sarajevo", "Brasilia", "Rio de Janeiro", "Sao Paulo", "São Paulo",
    "Sofia", "Phnom Penh", "Ottawa", "Toronto", "Montreal", "Vancouver", "Quebec", "Santiago",
    "Beijing", "Shanghai", "Guangzhou", "Shenzhen", "Wuhan", "Bogota", "Bogotá", "Kinshasa",
    "San Jose", "Zagreb", "Havana", "Nicosia", "Prague", "Copenhagen", "Quito", "Cairo",
    "Alexandria", "Tallinn", "Addis Ababa", "Helsinki", "Paris", "Marseille", "Lyon", "Toulouse",
    "Strasbourg", "Tbilisi", "Berlin", "Hamburg", "Munich", "Frankfurt", "Cologne", "Stuttgart",
    "Duesseldorf", "Düsseldorf", "Bonn", "Dresden", "Leipzig", "Accra", "Athens", "Budapest",
    "Reykjavik", "New Delhi", "Delhi", "Mumbai", "Bombay", "Kolkata", "Calcutta", "Chennai",
    "Bangalore", "Jakarta", "Tehran", "Baghdad", "Basra", "Mosul", "Dublin", "Belfast", "Jerusalem",
    "Tel Aviv", "Rome", "Milan", "Naples", "Turin", "Florence", "Venice", "Kingston", "Tokyo",
    "Osaka", "Kyoto", "Amman", "Astana", "Almaty", "Nairobi", "Pristina", "Kuwait City", "Bishkek",
    "Vientiane", "Riga", "Beirut", "Tripoli", "Benghazi", "Vilnius", "Antananarivo", "Kuala Lumpur",
    "Bamako", "Valletta", "Mexico City", "Chisinau", "Ulan Bator", "Podgorica", "Rabat",
    "Casablanca", "Maputo", "Yangon", "Rangoon", "Windhoek", "Kathmandu", "Amsterdam", "Rotterdam",
    "The Hague", "Wellington", "Auckland", "Managua", "Niamey", "Abuja", "Lagos", "Pyongyang",
    "Skopje", "Oslo", "Muscat", "Islamabad", "Karachi", "Lahore", "Panama City", "Asuncion", "Lima",
    "Manila", "Warsaw", "Krakow", "Lisbon", "Porto", "Doha", "Bucharest", "Moscow", "St Petersburg",
    "St. Petersburg", "Kigali", "Riyadh", "Jeddah", "Mecca", "Medina", "Dakar", "Belgrade",
    "Freetown", "Bratislava", "Ljubljana", "Mogadishu", "Pretoria", "Johannesburg", "Cape Town",
    "Durban", "Seoul", "Busan", "Juba", "Madrid", "Barcelona", "Valencia", "Seville", "Colombo",
    "Khartoum", "Stockholm", "Gothenburg", "Bern", "Zurich", "Geneva", "Basel", "Lausanne",
    "Damascus", "Aleppo", "Taipei", "Dushanbe", "Dodoma", "Dar es Salaam", "Bangkok", "Lome",
    "Tunis", "Ankara", "Istanbul", "Ashgabat", "Kampala", "Kyiv", "Kiev", "Kharkiv", "Odessa",
    "Abu Dhabi", "Dubai", "London", "Manchester", "Liverpool", "Birmingham", "Leeds", "Glasgow",
    "Edinburgh", "Cardiff", "Oxford", "Cambridge", "Washington", "New York", "New York City",
    "Los Angeles", "Chicago", "Houston", "Philadelphia", "Phoenix", "San Antonio", "San Diego",
    "Dallas", "San Francisco", "Seattle", "Boston", "Detroit", "Atlanta", "Miami", "Denver",
    "Las Vegas", "New Orleans", "Baltimore", "Pittsburgh", "Cleveland", "Minneapolis", "Montevideo",
    "Tashkent", "Caracas", "Hanoi", "Ho Chi Minh City", "Sanaa", "Aden", "Lusaka", "Harare", "Gaza",
    "Gaza Strip", "West Bank", "Golan Heights", "Ramallah", "Hebron", "Kandahar", "Crimea",
    "Donbas", "Kashmir", "Siberia", "Chechnya", "Kosovo", "Darfur", "Sahara", "Sahel", "Balkans",
    "Baltics", "Scandinavia", "Caribbean", "Middle East", "Near East", "Far East", "Europe", "Asia",
    "Africa", "North America", "South America", "Latin America", "Central America", "Antarctica",
    "Arctic", "Oceania", "Southeast Asia", "East Asia", "Central Asia", "South Asia",
    "Western Europe", "Eastern Europe", "Persian Gulf", "Gulf of Mexico", "Mediterranean",
    "Atlantic", "Pacific", "Indian Ocean", "Black Sea", "Baltic Sea", "North Sea", "Red Sea",
    "Caspian Sea", "South China Sea", "Himalayas", "Alps", "Andes", "Amazon", "Nile", "Danube",
    "Rhine", "Thames", "Mississippi", "Yangtze", "Bavaria", "Catalonia", "Basque Country",
    "Flanders", "Wallonia", "Corsica", "Sicily", "Sardinia", "Tuscany", "Lombardy", "Normandy",
    "Brittany", "Provence", "Silesia", "Ontario", "British Columbia", "Alberta", "Punjab", "Bengal",
    "Kerala", "Xinjiang", "Hokkaido", "Okinawa", "Mindanao", "Borneo", "Sumatra", "Java", "Bali",
    "Tasmania", "Queensland", "Patagonia", "Kurdistan", "Anatolia", "Silicon Valley", "Wall Street",
    "Manhattan", "Brooklyn", "Hollywood",
];

/// US states.
#[rustfmt::skip]
pub const US_STATES: &[&str] = &[
    "Alabama", "Alaska", "Arizona", "Arkansas", "California", "Colorado", "Connecticut", "Delaware",
    "Florida", "Hawaii", "Idaho", "Illinois", "Indiana", "Iowa", "Kansas", "Kentucky", "Louisiana",
    "Maine", "Maryland", "Massachusetts", "Michigan", "Minnesota", "Mississippi", "Missouri",
    "Montana", "Nebraska", "Nevada", "New Hampshire", "New Jersey", "New Mexico", "North Carolina",
    "North Dakota", "Ohio", "Oklahoma", "Oregon", "Pennsylvania", "Rhode Island", "South Carolina",
    "South Dakota", "Tennessee", "Texas", "Utah", "Vermont", "Virginia", "West Virginia",
    "Wisconsin", "Wyoming",
];

/// Nationalities, demonyms, languages and religions used as adjectives.
#[rustfmt::skip]
pub const DEMONYMS: &[&str] = &[
    "Afghan", "Albanian", "Algerian", "American", "Americans", "Angolan", "Argentine",
    "Argentinian", "Armenian", "Australian", "Australians", "Austrian", "Azerbaijani", "Azeri",
    "Bahraini", "Bangladeshi", "Belarusian", "Belgian", "Bolivian", "Bosnian", "Brazilian",
    "Brazilians", "British", "Briton", "Britons", "Bulgarian", "Burmese", "Cambodian",
    "Cameroonian", "Canadian", "Canadians", "Chadian", "Chilean", "Chinese", "Colombian",
    "Congolese", "Croatian", "Croat", "Cuban", "Cypriot", "Czech", "Danish", "Dane", "Danes",
    "Dutch", "Ecuadorean", "Ecuadorian", "Egyptian", "Egyptians", "English", "Eritrean", "Estonian",
    "Ethiopian", "European", "Europeans", "Filipino", "Finnish", "Finn", "French", "Frenchman",
    "Georgian", "German", "Germans", "Ghanaian", "Greek", "Greeks", "Guatemalan", "Haitian",
    "Honduran", "Hungarian", "Icelandic", "Indian", "Indians", "Indonesian", "Iranian", "Iranians",
    "Iraqi", "Iraqis", "Irish", "Israeli", "Israelis", "Italian", "Italians", "Ivorian", "Jamaican",
    "Japanese", "Jordanian", "Kazakh", "Kenyan", "Korean", "Koreans", "Kosovar", "Kurdish", "Kurd",
    "Kurds", "Kuwaiti", "Kyrgyz", "Laotian", "Latvian", "Lebanese", "Liberian", "Libyan",
    "Lithuanian", "Luxembourgish", "Macedonian", "Malagasy", "Malaysian", "Malian", "Maltese",
    "Mexican", "Mexicans", "Moldovan", "Mongolian", "Montenegrin", "Moroccan", "Mozambican",
    "Namibian", "Nepalese", "Nepali", "New Zealander", "Nicaraguan", "Nigerian", "Nigerien",
    "North Korean", "Norwegian", "Omani", "Pakistani", "Pakistanis", "Palestinian", "Palestinians",
    "Panamanian", "Paraguayan", "Peruvian", "Philippine", "Polish", "Pole", "Poles", "Portuguese",
    "Qatari", "Romanian", "Russian", "Russians", "Rwandan", "Saudi", "Saudis", "Scottish", "Scot",
    "Scots", "Senegalese", "Serbian", "Serb", "Serbs", "Singaporean", "Slovak", "Slovenian",
    "Slovene", "Somali", "South African", "South Korean", "Spanish", "Spaniard", "Sri Lankan",
    "Sudanese", "Swedish", "Swede", "Swiss", "Syrian", "Syrians", "Taiwanese", "Tajik", "Tanzanian",
    "Thai", "Tibetan", "Tunisian", "Turkish", "Turk", "Turks", "Turkmen", "Ugandan", "Ukrainian",
    "Ukrainians", "Uruguayan", "Uzbek", "Venezuelan", "Vietnamese", "Welsh", "Yemeni", "Zambian",
    "Zimbabwean", "Soviet", "Arab", "Arabs", "Arabic", "Latin American", "African", "Africans",
    "Asian", "Asians", "Western", "Scandinavian", "Balkan", "Baltic", "Caribbean", "Mediterranean",
    "Hispanic", "Latino", "Catholic", "Catholics", "Protestant", "Christian", "Christians",
    "Muslim", "Muslims", "Islamic", "Jewish", "Jews", "Hindu", "Hindus", "Sikh", "Buddhist",
    "Sunni", "Shi'ite", "Shiite", "Shia", "Orthodox", "Republican", "Republicans", "Democrat",
    "Democrats", "Democratic", "Bavarian", "Catalan", "Basque", "Flemish", "Sicilian", "Texan",
    "Californian", "Londoner", "Parisian", "Muscovite", "Berliner", "New Yorker",
];

/// Events and other MISC names.
#[rustfmt::skip]
pub const EVENTS: &[&str] = &[
    "World Cup", "Olympics", "Olympic Games", "Winter Olympics", "Paralympics", "Super Bowl",
    "Tour de France", "Champions League", "Europa League", "Premier League", "Bundesliga",
    "Serie A", "La Liga", "Formula One", "Grand Prix", "Davis Cup", "Ryder Cup", "U.S. Open",
    "US Open", "French Open", "Australian Open", "Wimbledon", "World War One", "World War Two",
    "World War I", "World War II", "First World War", "Second World War", "Cold War", "Gulf War",
    "Vietnam War", "Holocaust", "Brexit", "Christmas", "Easter", "Ramadan", "Eid", "Thanksgiving",
    "Hanukkah", "Diwali", "Nobel Prize", "Nobel Peace Prize", "Oscars", "Academy Awards", "Grammy",
    "Grammys", "Eurovision", "Dow Jones", "Nasdaq", "FTSE", "Nikkei", "S&P 500", "Internet",
    "Bible", "Koran", "Quran", "Euro 2024", "G7", "G8", "G20",
];

/// Well-known organisations.
#[rustfmt::skip]
pub const ORGANISATIONS: &[&str] = &[
    "United Nations", "UN", "U.N.", "UN Security Council", "Security Council", "General Assembly",
    "UNESCO", "UNICEF", "UNHCR", "World Health Organization", "WHO", "World Bank",
    "International Monetary Fund", "IMF", "World Trade Organization", "WTO", "NATO", "Nato",
    "European Union", "EU", "E.U.", "European Commission", "European Parliament",
    "European Central Bank", "ECB", "Council of Europe", "OPEC", "Opec", "OECD", "ASEAN",
    "African Union", "Arab League", "Red Cross", "Red Crescent", "Amnesty International",
    "Human Rights Watch", "Greenpeace", "Doctors Without Borders", "Interpol", "Europol",
    "Federal Reserve", "Fed", "Bank of England", "Bank of Japan", "Bundesbank",
    "People's Bank of China", "Congress", "Senate", "House of Representatives", "House of Commons",
    "House of Lords", "Supreme Court", "White House", "Pentagon", "Kremlin", "State Department",
    "Justice Department", "FBI", "CIA", "NSA", "NASA", "ESA", "FDA", "SEC", "EPA", "Downing Street",
    "Bundestag", "Duma", "Knesset", "Hamas", "Hezbollah", "Taliban", "al Qaeda", "al-Qaeda",
    "Al Qaeda", "Islamic State", "ISIS", "IRA", "PLO", "Fatah", "Reuters", "Associated Press", "AP",
    "AFP", "Agence France-Presse", "Bloomberg", "BBC", "CNN", "Al Jazeera", "New York Times",
    "Washington Post", "Wall Street Journal", "Financial Times", "The Guardian", "The Economist",
    "Der Spiegel", "Le Monde", "Xinhua", "Tass", "TASS", "Interfax", "Apple", "Microsoft", "Google",
    "Alphabet", "Amazon.com", "Facebook", "Meta", "Twitter", "IBM", "Intel", "Nvidia", "Samsung",
    "Sony", "Toyota", "Honda", "Nissan", "Volkswagen", "BMW", "Daimler", "Mercedes-Benz", "Siemens",
    "Bosch", "BASF", "Bayer", "Deutsche Bank", "Commerzbank", "Allianz", "Airbus", "Boeing",
    "General Motors", "GM", "Ford", "Chrysler", "Tesla", "Exxon", "ExxonMobil", "Chevron", "Shell",
    "Royal Dutch Shell", "BP", "Gazprom", "Rosneft", "Aramco", "Saudi Aramco",
    "Goldman Sachs", "JPMorgan", "JPMorgan Chase", "Morgan Stanley", "Citigroup", "Citibank",
    "Bank of America", "HSBC", "Barclays", "UBS", "Credit Suisse", "BNP Paribas",
    "Societe Generale", "Nestle", "Nestlé", "Unilever", "Procter & Gamble", "Coca-Cola", "PepsiCo",
    "McDonald's", "Walmart", "Nike", "Pfizer", "Moderna", "Novartis", "Roche", "AstraZeneca",
    "GlaxoSmithKline", "Johnson & Johnson", "Merck", "Huawei", "Alibaba", "Tencent", "Baidu",
    "Xiaomi", "Netflix", "Disney", "Walt Disney", "Uber", "Oracle", "Cisco", "Qualcomm", "Nokia",
    "Ericsson", "Vodafone", "Deutsche Telekom", "AT&T", "Verizon", "Lufthansa", "Air France",
    "British Airways", "Ryanair", "FIFA", "UEFA", "IOC", "NBA", "NFL", "NHL", "Manchester United",
    "Real Madrid", "Barcelona FC", "Bayern Munich", "Juventus", "AC Milan", "Inter Milan",
    "Chelsea", "Arsenal", "Liverpool FC", "Labour", "Labour Party", "Conservative Party", "Tories",
    "Democratic Party", "Republican Party", "GOP", "Christian Democrats", "Social Democrats", "SPD",
    "CDU", "Harvard", "Harvard University", "Yale", "Stanford", "MIT", "Oxford University",
    "Cambridge University", "Sorbonne",
];

#[cfg(test)]
mod tests {
    use super::*;
    use crate::tokenize::{sentences, tokenize};

    fn found(g: &Gazetteer, text: &str) -> Vec<(String, String)> {
        let tokens = tokenize(text);
        let sents = sentences(text, &tokens);
        let cx = Context {
            text,
            tokens: &tokens,
            sentences: &sents,
        };
        let mut out = Vec::new();
        g.find(&cx, &mut out);
        out.into_iter()
            .map(|c| (text[c.start..c.end].to_string(), c.label))
            .collect()
    }

    fn pairs(v: &[(&str, &str)]) -> Vec<(String, String)> {
        v.iter()
            .map(|(a, b)| (a.to_string(), b.to_string()))
            .collect()
    }

    #[test]
    fn standard_lists_find_places_people_and_orgs() {
        let g = Gazetteer::standard();
        assert_eq!(
            found(
                &g,
                "German officials met the IMF in New York and Paris on Germany's debt."
            ),
            pairs(&[
                ("German", "MISC"),
                ("IMF", "ORG"),
                ("New York", "LOC"),
                ("Paris", "LOC"),
                ("Germany", "LOC")
            ])
        );
        assert_eq!(
            found(
                &g,
                "Brazilian exports to the U.S. and the European Union rose."
            ),
            pairs(&[
                ("Brazilian", "MISC"),
                ("U.S.", "LOC"),
                ("European Union", "ORG")
            ])
        );
    }

    #[test]
    fn whole_tokens_only() {
        let g = Gazetteer::standard();
        // "Iran" inside "Iranian" is the demonym; "Chad" inside "Chadwick" nothing;
        // "Oman" inside "Romania" nothing (Romania itself is found).
        assert_eq!(
            found(&g, "Iranian Chadwick Romania Omani Germanyx"),
            pairs(&[("Iranian", "MISC"), ("Romania", "LOC"), ("Omani", "MISC")])
        );
        // A longest match that fails the token test does not hide a shorter one
        // starting later.
        let g = Gazetteer::new([("X", ["ab cd", "cd"])]);
        assert_eq!(found(&g, "ab cdx cd"), pairs(&[("cd", "X")]));
    }

    #[test]
    fn user_gazetteers() {
        let g = Gazetteer::new([
            ("PRODUCT", vec!["iPhone", "iPhone 15", "", "  "]),
            ("ORG", vec!["Apple", "iPhone"]),
        ]);
        assert_eq!(g.len(), 3);
        assert_eq!(
            found(&g, "Apple sold the iPhone 15 and an iPhone."),
            pairs(&[
                ("Apple", "ORG"),
                ("iPhone 15", "PRODUCT"),
                ("iPhone", "PRODUCT")
            ])
        );
        let empty = Gazetteer::new(Vec::<(&str, Vec<&str>)>::new());
        assert!(empty.is_empty());
        assert!(found(&empty, "Paris").is_empty());
    }

    #[test]
    fn case_sensitive() {
        let g = Gazetteer::standard();
        assert!(found(&g, "a turkey from china").is_empty());
    }
}
