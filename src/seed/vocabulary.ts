/**
 * Word lists for the demo/benchmark seed (src/seed/seed.ts). Plain data: the generator decides how to combine them.
 * Names deliberately include accents, apostrophes, hyphens and particles so that search and verification are
 * exercised by the seeded data, not only by hand-written tests.
 */

/** [value, weight] */
export type Weighted<T> = readonly (readonly [T, number])[];

export const FIRST_NAMES: readonly string[] = [
  // common US names
  'James', 'Mary', 'Robert', 'Patricia', 'John', 'Jennifer', 'Michael', 'Linda', 'David', 'Elizabeth', 'William',
  'Barbara', 'Richard', 'Susan', 'Joseph', 'Jessica', 'Thomas', 'Karen', 'Christopher', 'Sarah', 'Charles', 'Lisa',
  'Daniel', 'Nancy', 'Matthew', 'Sandra', 'Anthony', 'Ashley', 'Mark', 'Emily', 'Steven', 'Donna', 'Andrew',
  'Michelle', 'Joshua', 'Amanda', 'Kevin', 'Melissa', 'Brian', 'Deborah', 'Russell', 'Stephanie', 'Timothy',
  'Rebecca', 'Jason', 'Laura', 'Jeffrey', 'Cynthia', 'Ryan', 'Amy', 'Gary', 'Angela', 'Nicholas', 'Shirley',
  'Eric', 'Brenda', 'Jacob', 'Pamela', 'Jonathan', 'Nicole', 'Larry', 'Katherine', 'Frank', 'Samantha', 'Scott',
  'Christine', 'Brandon', 'Debra', 'Benjamin', 'Rachel', 'Gregory', 'Carolyn', 'Raymond', 'Janet', 'Patrick',
  'Maria', 'Alexander', 'Heather', 'Jack', 'Diane', 'Dennis', 'Olivia', 'Tyler', 'Julie', 'Aaron', 'Joyce',
  'Nathan', 'Victoria', 'Henry', 'Kelly', 'Zachary', 'Lauren', 'Peter', 'Christina', 'Kyle', 'Megan', 'Walter',
  'Hannah', 'Harold', 'Madison', 'Carl', 'Grace', 'Arthur', 'Abigail', 'Terrence', 'Tanya', 'DeShawn', 'Latoya',
  'Malik', 'Keisha', 'Darnell', 'Imani',
  // Spanish / Portuguese
  'José', 'María', 'Jesús', 'Inés', 'Martín', 'Sofía', 'Andrés', 'Lucía', 'Raúl', 'Begoña', 'Joaquín', 'Ramón',
  'Adrián', 'Mónica', 'Álvaro', 'Verónica', 'João', 'Conceição', 'Sebastián', 'Ángel',
  // French
  'François', 'Chloé', 'Renée', 'Hélène', 'Jérôme', 'Céline', 'Benoît', 'Gaëlle', 'Noël', 'Amélie', 'Léa',
  'Stéphane', 'Anaïs', 'Maël',
  // German / Nordic / Polish / Czech / Turkish / other
  'Zoë', 'Björn', 'Søren', 'Jürgen', 'Jörg', 'Günther', 'Åsa', 'Øystein', 'Mårten', 'Sigríður', 'Łukasz',
  'Małgorzata', 'Wojciech', 'Agnieszka', 'Zdeněk', 'Jiří', 'Tomáš', 'Ayşe', 'Çağla', 'Ömer', 'Dóra', 'Márton',
  // Asian / African / Middle Eastern (romanized)
  'Wei', 'Mei', 'Hiroshi', 'Yuki', 'Kenji', 'Priya', 'Arjun', 'Ananya', 'Rahul', 'Thảo', 'Minh', 'Ji-woo',
  'Seo-yeon', 'Oluwaseun', 'Chiamaka', 'Kwame', 'Amara', 'Fatima', 'Omar', 'Layla', 'Yusuf', 'Noor', 'Dmitri',
  'Svetlana', 'Niamh', 'Siobhán', 'Seán', 'Aoife',
];

export const LAST_NAMES: readonly string[] = [
  'Smith', 'Johnson', 'Williams', 'Brown', 'Jones', 'Miller', 'Davis', 'Wilson', 'Anderson', 'Taylor', 'Thomas',
  'Moore', 'Jackson', 'Martin', 'Lee', 'Thompson', 'White', 'Harris', 'Clark', 'Lewis', 'Robinson', 'Walker',
  'Young', 'Allen', 'King', 'Wright', 'Scott', 'Hill', 'Green', 'Adams', 'Baker', 'Nelson', 'Carter', 'Mitchell',
  'Roberts', 'Turner', 'Phillips', 'Campbell', 'Parker', 'Evans', 'Edwards', 'Collins', 'Stewart', 'Morris',
  'Murphy', 'Cook', 'Rogers', 'Morgan', 'Cooper', 'Peterson', 'Reed', 'Bailey', 'Bell', 'Kelly', 'Howard', 'Ward',
  'Cox', 'Richardson', 'Wood', 'Watson', 'Brooks', 'Bennett', 'Gray', 'Hughes', 'Price', 'Sanders', 'Myers',
  'Long', 'Ross', 'Foster', 'Hale', 'Russell', 'Griffin', 'Hayes', 'Bryant', 'Washington', 'Jenkins', 'Coleman',
  'Fitzgerald', 'McAllister', 'MacDonald', 'Van der Berg', 'van Houten', 'De la Cruz', 'St. John', 'Ashworth',
  "O'Brien", "O'Connor", "O'Neill", "D'Angelo", "Dell'Acqua", 'Smith-Jones', 'Hartley-Whitaker',
  // accented / non-English
  'Núñez', 'García', 'Rodríguez', 'Martínez', 'Hernández', 'López', 'González', 'Pérez', 'Sánchez', 'Ramírez',
  'Gómez', 'Jiménez', 'Muñoz', 'Álvarez', 'Castañeda', 'Ibáñez', 'Peña', 'Guzmán', 'Conceição', 'Gonçalves',
  'Lefèvre', 'Dubois', 'Moreau', 'Lefébure', 'Girard', 'Bélanger', 'Côté', 'Gagné', 'Leblanc', 'Pelletier',
  'Müller', 'Schröder', 'Weiß', 'Köhler', 'Groß', 'Bäcker', 'Kierkegaard', 'Sørensen', 'Østergaard', 'Håkansson',
  'Ångström', 'Björklund', 'Nieminen', 'Kowalski', 'Wójcik', 'Łukaszewicz', 'Dvořák', 'Novák', 'Çelik', 'Yılmaz',
  'Şahin', 'Öztürk', 'Nguyễn', 'Trần', 'Phạm', 'Kim', 'Park', 'Choi', 'Tanaka', 'Sato', 'Watanabe', 'Chen',
  'Wang', 'Zhang', 'Liu', 'Patel', 'Shah', 'Iyer', 'Reddy', 'Okafor', 'Adeyemi', 'Mensah', 'Haddad', 'Khalil',
  'Nasser', 'Ivanov', 'Volkov', 'Kuznetsov', 'Papadopoulos', 'Brontë',
];

/** Customers that are businesses (property managers, offices): their tasks come from the commercial verticals. */
export const BUSINESS_PREFIXES: readonly string[] = [
  'Riverside', 'Maple Street', 'Harbor View', 'Oakwood', 'Summit', 'Blue Ridge', 'Lakeside', 'Cedar Park',
  'Northgate', 'Pine Hollow', 'Union Square', 'Westfield', 'Brightwater', 'Old Town', 'Sunnyvale', 'Ironbridge',
  'Café Olé', 'Crème de la Crème', 'Müller & Söhne', 'Núñez Family', 'Lefèvre', 'Bayside', 'Granite',
];
export const BUSINESS_SUFFIXES: readonly string[] = [
  'Dental Group', 'Apartments', 'Property Management', 'Family Practice', 'Law Office', 'Bakery', 'Realty',
  'Veterinary Clinic', 'Coffee Roasters', 'Yoga Studio', 'Accounting LLC', 'Auto Body', 'Montessori School',
  'Condominium Association', 'Bistro', 'Architects', 'Pharmacy', 'Fitness', 'Hair Studio', 'Brewing Co.',
];

export const EMAIL_DOMAINS: Weighted<string> = [
  ['gmail.com', 40], ['yahoo.com', 10], ['outlook.com', 9], ['hotmail.com', 7], ['icloud.com', 8], ['aol.com', 3],
  ['comcast.net', 4], ['verizon.net', 2], ['proton.me', 2], ['example.com', 10], ['example.org', 3], ['me.com', 2],
];

/** US area codes (mostly the DC/Maryland/Virginia region, where the demo business is, plus a spread). */
export const AREA_CODES: readonly string[] = [
  '703', '571', '202', '301', '240', '410', '443', '540', '804', '757', '212', '646', '617', '312', '415', '512',
  '206', '303', '404', '305', '713', '214', '602', '919', '614', '971', '720', '615',
];

/** Staff of the seeded business (assignees and staff comment authors). */
export const STAFF: readonly (readonly [name: string, emailLocal: string])[] = [
  ['Russell Hale', 'russell'], ['Marisol Ortega', 'marisol'], ['Dmitri Volkov', 'dmitri'], ['Aisha Bello', 'aisha'],
  ['Kenji Watanabe', 'kenji'], ['Grace O\'Connell', 'grace'], ['Tomás Herrera', 'tomas'], ['Priya Raman', 'priya'],
  ['Björn Lindqvist', 'bjorn'], ['Hélène Marchand', 'helene'], ['Marcus Reid', 'marcus'], ['Sam Okafor', 'sam'],
];

export const ASSISTANT_NAMES: Weighted<string> = [
  ['Claude (phone agent)', 70], ['Claude (email assistant)', 20], ['Claude (SMS assistant)', 10],
];

/** A vertical: what the business fixes. `problems` follow the item name in a title ("Dishwasher" + "not draining"). */
export interface Item {
  name: string;
  brands: readonly string[];
  problems: readonly string[];
  /** Complete titles for planned work ("Replace water heater thermostat"). */
  jobs: readonly string[];
  /** Description sentences about the symptom, without the brand. */
  details: readonly string[];
}

export interface Vertical {
  name: string;
  /** Residential and business customers weigh verticals differently. */
  residential: number;
  business: number;
  items: readonly Item[];
}

export const VERTICALS: readonly Vertical[] = [
  {
    name: 'appliance',
    residential: 38,
    business: 6,
    items: [
      {
        name: 'dishwasher',
        brands: ['Bosch', 'Whirlpool', 'KitchenAid', 'GE', 'Samsung', 'LG', 'Miele', 'Maytag', 'Frigidaire'],
        problems: ['not draining', 'leaking from the door', 'not cleaning dishes', 'making a grinding noise', 'won\'t start', 'showing error E15', 'smells like burning plastic', 'leaves white film on glasses'],
        jobs: ['Replace dishwasher drain pump', 'Install new dishwasher', 'Replace dishwasher door gasket', 'Dishwasher annual maintenance'],
        details: ['Water is standing in the bottom after every cycle.', 'There is a puddle on the kitchen floor after each run.', 'The control panel lights up but nothing happens.', 'It makes a loud grinding noise during the drain cycle.', 'The error code keeps coming back after a reset.', 'Dishes come out gritty and still dirty.'],
      },
      {
        name: 'refrigerator',
        brands: ['Samsung', 'LG', 'Whirlpool', 'GE', 'Frigidaire', 'Sub-Zero', 'KitchenAid', 'Bosch'],
        problems: ['not cooling', 'ice maker not working', 'leaking water', 'freezer frosting up', 'making a clicking noise', 'running constantly', 'water dispenser broken'],
        jobs: ['Replace refrigerator compressor relay', 'Replace fridge water filter housing', 'Install ice maker kit', 'Refrigerator door seal replacement'],
        details: ['The fresh food section is at 50°F and the freezer seems fine.', 'The ice maker stopped producing ice last week.', 'Water leaks under the crisper drawers.', 'It clicks every few minutes and the compressor does not start.', 'Food is spoiling; customer moved everything to a cooler.'],
      },
      {
        name: 'washing machine',
        brands: ['Maytag', 'Whirlpool', 'LG', 'Samsung', 'Speed Queen', 'Electrolux', 'Bosch'],
        problems: ['won\'t spin', 'shaking violently', 'not draining', 'door won\'t unlock', 'leaking underneath', 'stuck on sensing'],
        jobs: ['Replace washer door lock', 'Replace washer drive belt', 'Washer shock absorber replacement'],
        details: ['Clothes come out soaking wet.', 'It walks across the laundry room on the spin cycle.', 'The door stays locked with water inside.', 'Water drips from underneath during the fill.'],
      },
      {
        name: 'dryer',
        brands: ['Whirlpool', 'Maytag', 'LG', 'Samsung', 'GE', 'Electrolux'],
        problems: ['not heating', 'squealing', 'takes forever to dry', 'won\'t turn on', 'drum not turning'],
        jobs: ['Replace dryer heating element', 'Dryer vent cleaning', 'Replace dryer idler pulley'],
        details: ['Drum turns but the air stays cold.', 'A loud squeal starts about a minute into the cycle.', 'Loads need two or three cycles to dry.', 'Customer smelled something hot near the vent.'],
      },
      {
        name: 'oven',
        brands: ['GE', 'Wolf', 'Thermador', 'Frigidaire', 'Viking', 'Bosch', 'Samsung'],
        problems: ['not heating up', 'temperature way off', 'igniter clicking', 'door won\'t close', 'self-clean stuck locked'],
        jobs: ['Replace oven bake element', 'Replace oven igniter', 'Calibrate oven thermostat'],
        details: ['Oven takes an hour to reach 350°F.', 'The burner clicks but never lights.', 'Door is locked after a self-clean cycle.', 'Cakes burn on the bottom and stay raw on top.'],
      },
      {
        name: 'garbage disposal',
        brands: ['InSinkErator', 'Waste King', 'Moen'],
        problems: ['humming but not spinning', 'leaking from the bottom', 'jammed'],
        jobs: ['Replace garbage disposal', 'Install new garbage disposal'],
        details: ['It hums when switched on but nothing turns.', 'Water drips from the bottom of the unit.'],
      },
    ],
  },
  {
    name: 'hvac',
    residential: 26,
    business: 16,
    items: [
      {
        name: 'AC unit',
        brands: ['Carrier', 'Trane', 'Lennox', 'Rheem', 'Goodman', 'Daikin', 'York', 'Mitsubishi'],
        problems: ['blowing warm air', 'not turning on', 'freezing up', 'leaking water inside', 'short cycling', 'making a rattling noise'],
        jobs: ['AC tune-up before summer', 'Replace AC capacitor', 'Recharge AC refrigerant', 'Replace condenser fan motor'],
        details: ['House is at 84°F and the thermostat is set to 72.', 'Ice is building up on the copper lines outside.', 'Water is dripping from the air handler in the attic.', 'Unit turns on and off every few minutes.', 'The outdoor fan is not spinning.'],
      },
      {
        name: 'furnace',
        brands: ['Carrier', 'Trane', 'Lennox', 'Rheem', 'Goodman', 'Bryant', 'American Standard'],
        problems: ['not igniting', 'blowing cold air', 'making a banging noise', 'pilot light keeps going out', 'smells like gas'],
        jobs: ['Furnace annual inspection', 'Replace furnace flame sensor', 'Replace furnace blower motor', 'Install new furnace filter rack'],
        details: ['The blower runs but no heat comes out.', 'A loud bang when the burners light.', 'Pilot goes out a few times a day.', 'Customer reports a faint gas smell near the unit; advised to leave if it gets stronger.'],
      },
      {
        name: 'heat pump',
        brands: ['Mitsubishi', 'Daikin', 'Fujitsu', 'Carrier', 'Trane', 'Bosch'],
        problems: ['stuck in defrost', 'not heating', 'iced over', 'tripping the breaker'],
        jobs: ['Heat pump seasonal service', 'Install ductless mini-split', 'Replace heat pump reversing valve'],
        details: ['Outdoor unit is covered in ice.', 'It trips the breaker about an hour after starting.', 'Mini-split in the bedroom blinks a green light.'],
      },
      {
        name: 'thermostat',
        brands: ['Nest', 'Ecobee', 'Honeywell', 'Emerson'],
        problems: ['blank screen', 'not talking to the system', 'reading the wrong temperature'],
        jobs: ['Install smart thermostat', 'Replace thermostat wiring'],
        details: ['Screen went blank after a power outage.', 'It says 78°F but the room is clearly colder.'],
      },
    ],
  },
  {
    name: 'plumbing',
    residential: 24,
    business: 12,
    items: [
      {
        name: 'water heater',
        brands: ['Rheem', 'A.O. Smith', 'Bradford White', 'Rinnai', 'Navien', 'State'],
        problems: ['no hot water', 'leaking at the base', 'making popping sounds', 'pilot won\'t stay lit', 'water is rusty'],
        jobs: ['Replace water heater thermostat', 'Flush water heater tank', 'Install tankless water heater', 'Replace water heater anode rod'],
        details: ['Hot water runs out after a five minute shower.', 'There is a slow drip from the base of the tank.', 'Tank is 14 years old, customer asked for a replacement quote.', 'Popping sounds whenever it heats.'],
      },
      {
        name: 'kitchen sink',
        brands: ['Moen', 'Delta', 'Kohler', 'American Standard'],
        problems: ['clogged', 'faucet dripping', 'low water pressure', 'leaking under the cabinet'],
        jobs: ['Replace kitchen faucet', 'Install new kitchen sink'],
        details: ['Water drains very slowly and backs up into the other basin.', 'The faucet drips all night.', 'Cabinet floor under the sink is soft from a leak.'],
      },
      {
        name: 'toilet',
        brands: ['Kohler', 'TOTO', 'American Standard', 'Gerber'],
        problems: ['running constantly', 'clogged', 'leaking at the base', 'won\'t flush'],
        jobs: ['Replace toilet fill valve', 'Install new toilet', 'Reset toilet wax ring'],
        details: ['Tank keeps refilling every few minutes.', 'Water seeps out around the base after flushing.', 'Plunger did not help.'],
      },
      {
        name: 'shower',
        brands: ['Moen', 'Delta', 'Grohe', 'Kohler', 'Hansgrohe'],
        problems: ['no hot water', 'valve leaking', 'drain backing up'],
        jobs: ['Replace shower cartridge', 'Re-caulk shower surround'],
        details: ['Only lukewarm water even at full hot.', 'Handle is hard to turn and drips when off.'],
      },
      {
        name: 'sump pump',
        brands: ['Zoeller', 'Wayne', 'Liberty'],
        problems: ['not turning on', 'running nonstop', 'alarm going off'],
        jobs: ['Install sump pump battery backup', 'Replace sump pump'],
        details: ['Basement has about an inch of water.', 'The high-water alarm went off overnight.'],
      },
    ],
  },
  {
    name: 'electrical',
    residential: 10,
    business: 8,
    items: [
      {
        name: 'breaker',
        brands: ['Square D', 'Siemens', 'Eaton', 'Leviton'],
        problems: ['keeps tripping', 'won\'t reset', 'buzzing'],
        jobs: ['Replace breaker panel', 'Add dedicated circuit for garage'],
        details: ['Kitchen breaker trips whenever the microwave and kettle run together.', 'Panel makes a buzzing sound.'],
      },
      {
        name: 'outlet',
        brands: ['Leviton', 'Lutron', 'Legrand'],
        problems: ['not working', 'sparking', 'warm to the touch'],
        jobs: ['Install GFCI outlets in bathroom', 'Add outdoor outlet'],
        details: ['Two outlets in the living room went dead.', 'Outlet sparked when a plug was pulled out.'],
      },
      {
        name: 'EV charger',
        brands: ['ChargePoint', 'Tesla', 'JuiceBox', 'Emporia'],
        problems: ['not charging', 'faulting', 'offline'],
        jobs: ['Install Level 2 EV charger', 'Run 50A circuit for EV charger'],
        details: ['Charger shows a red ring and will not start a session.', 'Customer wants a quote for a garage install.'],
      },
    ],
  },
  {
    name: 'it',
    residential: 2,
    business: 34,
    items: [
      {
        name: 'office Wi-Fi',
        brands: ['Ubiquiti', 'Netgear', 'Cisco Meraki', 'TP-Link', 'Eero'],
        problems: ['dropping every hour', 'slow in the back office', 'not reaching the conference room', 'down'],
        jobs: ['Install new access point', 'Set up guest Wi-Fi network', 'Replace office router'],
        details: ['Connections drop for a few minutes around every hour.', 'Speed test shows 3 Mbps in the back office.', 'Nobody can connect since this morning.'],
      },
      {
        name: 'printer',
        brands: ['HP', 'Brother', 'Canon', 'Xerox', 'Epson'],
        problems: ['offline', 'jamming', 'printing blank pages', 'not scanning to email'],
        jobs: ['Set up scan-to-email', 'Install new network printer'],
        details: ['Shows offline on every laptop.', 'Jams on every second page.', 'Scan to email stopped after the password change.'],
      },
      {
        name: 'laptop',
        brands: ['Dell', 'Lenovo', 'HP', 'MacBook', 'Surface'],
        problems: ['won\'t boot', 'running very slow', 'blue screen on startup', 'battery not charging', 'cracked screen'],
        jobs: ['Set up new employee laptop', 'Replace laptop SSD', 'Migrate data to new laptop'],
        details: ['Stuck on the manufacturer logo.', 'Blue screen right after login.', 'Takes ten minutes to open Outlook.'],
      },
      {
        name: 'email',
        brands: ['Microsoft 365', 'Google Workspace', 'Outlook'],
        problems: ['not syncing on phone', 'bouncing from clients', 'mailbox full', 'spam getting through'],
        jobs: ['Migrate mailboxes to Microsoft 365', 'Set up shared mailbox', 'Configure SPF and DKIM'],
        details: ['Messages to one client bounce with a 550 error.', 'Phone stopped syncing after the password change.'],
      },
      {
        name: 'backup',
        brands: ['Synology', 'Backblaze', 'Veeam', 'Datto'],
        problems: ['failing every night', 'out of space'],
        jobs: ['Set up offsite backup', 'Test backup restore'],
        details: ['Backup job has failed for six nights in a row.', 'NAS is at 98% capacity.'],
      },
    ],
  },
  {
    name: 'agency',
    residential: 0,
    business: 24,
    items: [
      {
        name: 'website',
        brands: ['WordPress', 'Squarespace', 'Shopify', 'Webflow', 'Wix'],
        problems: ['contact form not sending', 'down', 'loading slowly', 'showing a security warning', 'broken on mobile'],
        jobs: ['Update homepage banner', 'Add online booking page', 'Renew SSL certificate', 'Monthly SEO report', 'Migrate website to new host'],
        details: ['Contact form submissions never arrive.', 'Site shows a certificate warning in Chrome.', 'The menu overlaps the logo on phones.', 'Homepage takes eight seconds to load.'],
      },
      {
        name: 'logo',
        brands: ['Illustrator', 'Figma', 'Canva'],
        problems: ['needs revisions', 'wrong colors in print'],
        jobs: ['Logo revisions for spring campaign', 'Design new business cards', 'Brand style guide update'],
        details: ['Client wants the blue darker and the font a little bolder.', 'Printed banners came out purple instead of navy.'],
      },
      {
        name: 'social media',
        brands: ['Instagram', 'Facebook', 'LinkedIn', 'TikTok'],
        problems: ['account locked', 'ads rejected'],
        jobs: ['Schedule holiday social posts', 'Set up ad campaign', 'Monthly analytics report'],
        details: ['Ad was rejected for "misleading claims".', 'Client cannot log in after a suspicious login alert.'],
      },
    ],
  },
];

export const TITLE_SUFFIXES: Weighted<string> = [
  ['', 86], [' (warranty)', 3], [' – follow-up', 3], [' – 2nd visit', 2], [' (rental unit)', 2], [' – quote requested', 2],
  [' – URGENT', 1], [' again', 1],
];

/** First sentence of a description for a "{item} {problem}" title. */
export const PROBLEM_OPENERS: readonly string[] = [
  '{Brand} {item}, about {n} years old.',
  'Customer reports: {item} {problem} since {when}.',
  '{Brand} {item}, model {model}.',
  'Reported by phone: {item} {problem}.',
  'Second time this {period}: {item} {problem}.',
  '{Brand} {item} installed {n} years ago, {problem}.',
];

/** First sentence of a description for a planned-job title. */
export const JOB_OPENERS: readonly string[] = [
  '{Brand} {item}, about {n} years old.',
  '{Brand} {item}, model {model}.',
  'Existing {item} is {Brand}, installed {n} years ago.',
  'Customer asked for this after the last visit.',
];

export const WHEN: readonly string[] = [
  'yesterday', 'last night', 'this morning', 'the weekend', 'Monday', 'last week', 'the power outage',
  'the storm', 'the last service visit', 'two days ago',
];

export const PERIODS: readonly string[] = ['month', 'year', 'season', 'week'];

export const ACCESS_NOTES: readonly string[] = [
  'Gate code is {code}.', 'Key is in the lockbox, code {code}.', 'Unit is in the basement, use the side door.',
  'Dog in the backyard — call before going in.', 'Park on the street; the driveway is shared.',
  'Tenant is home after 2 pm.', 'Building B, ring the buzzer for unit {unit}.', 'Attic access through the hallway closet.',
  'Ask for the office manager at the front desk.', 'Loading dock entrance on the north side.',
  'Elderly customer, please be patient at the door.', 'Two flights of stairs, no elevator.',
  'Please wear shoe covers.', 'Call 15 minutes before arriving.', 'Apartment {unit}, visitor parking in the back.',
];

export const SCHEDULING_NOTES: readonly string[] = [
  'Prefers mornings.', 'Available weekdays after 4 pm.', 'Still under warranty.', 'Needs a quote before any work.',
  'Landlord approves repairs up to ${amount}.', 'Customer will send photos by text.', 'Paid the diagnostic fee already.',
  'Has a home warranty through First American.', 'Asked for the same technician as last time.',
  'Wants it fixed before the holidays.', 'Will be out of town until the 15th.', 'Bring a replacement part if possible.',
];

export const STAFF_COMMENTS: readonly string[] = [
  'Called the customer, left a voicemail.', 'Ordered the replacement part, ETA {n} business days.',
  'On site. Found the problem, repaired and tested.', 'Parts arrived; scheduling the install.',
  'Diagnosed a failed {part}. Quote sent: ${amount}.', 'Customer approved the quote.',
  'Rescheduled at the customer\'s request.', 'Job complete, customer signed off.',
  'Needs a second technician for the lift.', 'Checked everything, could not reproduce. Asked the customer to call if it happens again.',
  'Warranty claim submitted.', 'Follow-up visit booked for next week.', 'Invoice #{code} sent.',
  'Cleaned the filter and the drain line; running normally now.', 'Replaced the {part} and ran a full cycle.',
];

export const CUSTOMER_COMMENTS: readonly string[] = [
  'Is the technician still coming today?', 'It started again this morning.', 'Thanks, everything works now!',
  'Can we move the appointment to Friday?', 'I sent photos of the model label.', 'The noise is back.',
  'How much will this cost?', 'Please call my cell instead of the home phone.', 'Someone needs to be here by noon.',
  'Still waiting on the part — any update?', 'The tech was great, thank you.', 'I will leave the side gate open.',
];

export const ASSISTANT_COMMENTS: readonly string[] = [
  'Caller (verified: name and phone) reports the problem is back since this morning. Requested a callback after 3 pm.',
  'Customer called to ask for a status update. Told them the part is on order.',
  'Customer confirmed the appointment window of 8–11 am.',
  'Caller asked to reschedule to next week; prefers mornings.',
  'Customer reports the repair held and asked for the invoice by email.',
  'Caller says water is leaking again and is getting worse. Marked for a same-day callback.',
  'Customer asked whether the visit is covered by the warranty.',
  'Customer added a new gate code for the technician.',
];

export const PARTS: readonly string[] = [
  'drain pump', 'capacitor', 'control board', 'thermostat', 'door gasket', 'igniter', 'flame sensor', 'fill valve',
  'blower motor', 'heating element', 'water inlet valve', 'door latch', 'fan motor', 'pressure switch',
];

export const INTERNAL_TITLES: readonly string[] = [
  'Restock van inventory', 'Renew liability insurance', 'Quarterly safety training', 'Order new uniforms',
  'Update price list', 'Van 2 oil change', 'Follow up on unpaid invoices', 'Clean up the warehouse shelves',
  'Renew contractor license', 'Review supplier quotes',
];
