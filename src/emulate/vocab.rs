//! Word lists for people and places. The source tables were filled by Faker (spec §3.2, §3.3), so
//! the names imitate Faker's en_US lists, and the `A_*` lists carry the observed skew toward the
//! start of the alphabet (50/137 first names, 33/137 last names, 60/137 countries start with "A").

/// First names starting with "A" (spec §3.3: Abigail, Aaron, Alexander, ...).
pub const A_FIRST_NAMES: &[&str] = &[
    "Aaron", "Abigail", "Adam", "Adrian", "Aimee", "Alan", "Albert", "Alec", "Alejandra", "Alex",
    "Alexa", "Alexander", "Alexandra", "Alexis", "Alicia", "Alison", "Allen", "Allison", "Alyssa",
    "Amanda", "Amber", "Amy", "Andre", "Andrea", "Andrew", "Angel", "Angela", "Angelica", "Anita",
    "Ann", "Anna", "Anne", "Annette", "Anthony", "Antonio", "April", "Ariel", "Ashley", "Audrey", "Austin",
];

/// The other first names.
pub const FIRST_NAMES: &[&str] = &[
    "Benjamin", "Brandon", "Brenda", "Brian", "Brittany", "Carlos", "Caroline", "Catherine", "Charles",
    "Christina", "Christopher", "Cody", "Daniel", "David", "Debra", "Denise", "Derek", "Diana", "Donna",
    "Dylan", "Elizabeth", "Emily", "Eric", "Erin", "Gabriel", "Gregory", "Hannah", "Heather", "Isaac",
    "Jacob", "Jamie", "Jasmine", "Jeffrey", "Jennifer", "Jessica", "John", "Jonathan", "Joseph", "Julie",
    "Justin", "Karen", "Katherine", "Kayla", "Kevin", "Kimberly", "Kyle", "Laura", "Lauren", "Linda",
    "Lisa", "Logan", "Madison", "Maria", "Mark", "Matthew", "Megan", "Melissa", "Michael", "Michelle",
    "Monica", "Nathan", "Nicole", "Olivia", "Patricia", "Paul", "Rachel", "Rebecca", "Richard", "Robert",
    "Ryan", "Samantha", "Sarah", "Scott", "Sean", "Sharon", "Stephanie", "Steven", "Tammy", "Thomas",
    "Tiffany", "Travis", "Tyler", "Valerie", "Victoria", "William", "Zachary",
];

/// Last names starting with "A" (spec §3.3: Ali, Adams, ...).
pub const A_LAST_NAMES: &[&str] = &[
    "Abbott", "Acevedo", "Acosta", "Adams", "Adkins", "Aguilar", "Aguirre", "Alexander", "Ali", "Allen",
    "Allison", "Alvarado", "Alvarez", "Andersen", "Anderson", "Andrews", "Armstrong", "Arnold", "Atkins",
    "Austin", "Avila", "Ayala",
];

/// The other last names.
pub const LAST_NAMES: &[&str] = &[
    "Baker", "Barnes", "Bartlett", "Bell", "Bennett", "Brooks", "Brown", "Bryant", "Butler", "Campbell",
    "Carter", "Castillo", "Chavez", "Clark", "Collins", "Cook", "Cooper", "Cox", "Cruz", "Davis",
    "Decker", "Diaz", "Edwards", "Evans", "Fisher", "Flores", "Foster", "Garcia", "Gomez", "Gonzalez",
    "Gray", "Green", "Griffin", "Hall", "Harris", "Hayes", "Henderson", "Hernandez", "Hill", "Howard",
    "Hughes", "Jackson", "James", "Jenkins", "Johnson", "Jones", "Kelly", "Kim", "King", "Lee", "Lewis",
    "Long", "Lopez", "Martin", "Martinez", "Miller", "Mitchell", "Moore", "Morgan", "Morris", "Murphy",
    "Myers", "Nelson", "Nguyen", "Parker", "Patel", "Perez", "Perry", "Peterson", "Phillips", "Powell",
    "Price", "Ramirez", "Ramsey", "Reed", "Reyes", "Richardson", "Rivera", "Roberts", "Robinson",
    "Rodriguez", "Rogers", "Ross", "Russell", "Sanchez", "Sanders", "Scott", "Smith", "Stewart",
    "Sullivan", "Taylor", "Thomas", "Thompson", "Torres", "Turner", "Walker", "Ward", "Watson", "White",
    "Williams", "Wilson", "Wood", "Wright", "Young",
];

/// Countries starting with "A", weighted as in the 137-row sample (spec §3.2: Albania 8, Armenia 7,
/// Algeria 7, Aruba 6, American Samoa 5; the rest share what is left of the 60).
pub const A_COUNTRIES: &[(&str, u32)] = &[
    ("Afghanistan", 3),
    ("Albania", 8),
    ("Algeria", 7),
    ("American Samoa", 5),
    ("Andorra", 3),
    ("Angola", 3),
    ("Anguilla", 3),
    ("Antarctica (the territory South of 60 deg S)", 3),
    ("Antigua and Barbuda", 3),
    ("Argentina", 3),
    ("Armenia", 7),
    ("Aruba", 6),
    ("Australia", 2),
    ("Austria", 2),
    ("Azerbaijan", 2),
];

/// The other countries, in Faker's spelling (spec §3.2: "Cote d'Ivoire", "Cocos (Keeling) Islands").
pub const COUNTRIES: &[&str] = &[
    "Bahamas", "Bahrain", "Bangladesh", "Barbados", "Belarus", "Belgium", "Belize", "Benin", "Bermuda",
    "Bhutan", "Bolivia", "Bosnia and Herzegovina", "Botswana", "Bouvet Island (Bouvetoya)", "Brazil",
    "British Indian Ocean Territory (Chagos Archipelago)", "British Virgin Islands", "Brunei Darussalam",
    "Bulgaria", "Burkina Faso", "Burundi", "Cambodia", "Cameroon", "Canada", "Cape Verde",
    "Cayman Islands", "Central African Republic", "Chad", "Chile", "China", "Christmas Island",
    "Cocos (Keeling) Islands", "Colombia", "Comoros", "Congo", "Cook Islands", "Costa Rica",
    "Cote d'Ivoire", "Croatia", "Cuba", "Cyprus", "Czech Republic", "Denmark", "Djibouti", "Dominica",
    "Dominican Republic", "Ecuador", "Egypt", "El Salvador", "Equatorial Guinea", "Eritrea", "Estonia",
    "Ethiopia", "Faroe Islands", "Falkland Islands (Malvinas)", "Fiji", "Finland", "France",
    "French Guiana", "French Polynesia", "French Southern Territories", "Gabon", "Gambia", "Georgia",
    "Germany", "Ghana", "Gibraltar", "Greece", "Greenland", "Grenada", "Guadeloupe", "Guam", "Guatemala",
    "Guernsey", "Guinea", "Guinea-Bissau", "Guyana", "Haiti", "Heard Island and McDonald Islands",
    "Holy See (Vatican City State)", "Honduras", "Hong Kong", "Hungary", "Iceland", "India", "Indonesia",
    "Iran", "Iraq", "Ireland", "Isle of Man", "Israel", "Italy", "Jamaica", "Japan", "Jersey", "Jordan",
    "Kazakhstan", "Kenya", "Kiribati", "Korea", "Kuwait", "Kyrgyz Republic",
    "Lao People's Democratic Republic", "Latvia", "Lebanon", "Lesotho", "Liberia",
    "Libyan Arab Jamahiriya", "Liechtenstein", "Lithuania", "Luxembourg", "Macao", "Macedonia",
    "Madagascar", "Malawi", "Malaysia", "Maldives", "Mali", "Malta", "Marshall Islands", "Martinique",
    "Mauritania", "Mauritius", "Mayotte", "Mexico", "Micronesia", "Moldova", "Monaco", "Mongolia",
    "Montenegro", "Montserrat", "Morocco", "Mozambique", "Myanmar", "Namibia", "Nauru", "Nepal",
    "Netherlands Antilles", "Netherlands", "New Caledonia", "New Zealand", "Nicaragua", "Niger",
    "Nigeria", "Niue", "Norfolk Island", "Northern Mariana Islands", "Norway", "Oman", "Pakistan",
    "Palau", "Palestinian Territory", "Panama", "Papua New Guinea", "Paraguay", "Peru", "Philippines",
    "Pitcairn Islands", "Poland", "Portugal", "Puerto Rico", "Qatar", "Reunion", "Romania",
    "Russian Federation", "Rwanda", "Saint Barthelemy", "Saint Helena", "Saint Kitts and Nevis",
    "Saint Lucia", "Saint Martin", "Saint Pierre and Miquelon", "Saint Vincent and the Grenadines",
    "Samoa", "San Marino", "Sao Tome and Principe", "Saudi Arabia", "Senegal", "Serbia", "Seychelles",
    "Sierra Leone", "Singapore", "Slovakia (Slovak Republic)", "Slovenia", "Solomon Islands", "Somalia",
    "South Africa", "South Georgia and the South Sandwich Islands", "Spain", "Sri Lanka", "Sudan",
    "Suriname", "Svalbard & Jan Mayen Islands", "Swaziland", "Sweden", "Switzerland",
    "Syrian Arab Republic", "Taiwan", "Tajikistan", "Tanzania", "Thailand", "Timor-Leste", "Togo",
    "Tokelau", "Tonga", "Trinidad and Tobago", "Tunisia", "Turkey", "Turkmenistan",
    "Turks and Caicos Islands", "Tuvalu", "Uganda", "Ukraine", "United Arab Emirates", "United Kingdom",
    "United States of America", "United States Minor Outlying Islands", "United States Virgin Islands",
    "Uruguay", "Uzbekistan", "Vanuatu", "Venezuela", "Vietnam", "Wallis and Futuna", "Western Sahara",
    "Yemen", "Zambia", "Zimbabwe",
];

/// Given names of Pinterest posters: display names are free Unicode (spec §3.1), so some carry
/// accents that `ensure_ascii` turns into `\u00e9`-style escapes.
pub const POSTER_FIRST_NAMES: &[&str] = &[
    "Nicki", "Grecia", "Moji", "Zoë", "Chloé", "José", "Renée", "Søren", "Noémie", "Björn", "Inés",
    "Jess", "Kate", "Mel", "Sam", "Tori", "Becca", "Amélie", "Maddie", "Carly", "Dani", "Fatima",
    "Gwen", "Holly", "Ivy", "Jade",
];

/// Family names of Pinterest posters.
pub const POSTER_LAST_NAMES: &[&str] = &[
    "Perales", "Moreau", "Müller", "Ramos", "Kowalski", "Haddad", "O'Brien", "Lindqvist", "García",
    "Dubois", "Rossi", "Tanaka", "Okafor", "Schmidt", "Silva",
];

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn skewed_lists_start_with_a_and_the_others_do_not() {
        assert!(A_FIRST_NAMES.iter().chain(A_LAST_NAMES).all(|n| n.starts_with('A')));
        assert!(A_COUNTRIES.iter().all(|(n, w)| n.starts_with('A') && *w > 0));
        assert!(FIRST_NAMES.iter().chain(LAST_NAMES).chain(COUNTRIES).all(|n| !n.starts_with('A')));
    }
}
