/* synth_data: embedded reference tables (UTF-8). Commune codes, names and postal codes are
 * the official ones (INSEE COG), the 62 most populous communes of the Gironde, weighted by
 * population in hundreds. Names are frequent French surnames and first names plus a share
 * of names of other origins, with accents, particles, compounds and a few letters that
 * Windows-1252 lacks (Vietnamese, Polish, Turkish), so that every encoding path is tried. */
#include "synth_data.h"

#define N_OF(a) (sizeof(a) / sizeof((a)[0]))

const synth_commune synth_communes[] = {
    {"33063", "Bordeaux", "33000", 2680},
    {"33281", "Mérignac", "33700", 781},
    {"33318", "Pessac", "33600", 673},
    {"33522", "Talence", "33400", 463},
    {"33550", "Villenave-d'Ornon", "33140", 425},
    {"33449", "Saint-Médard-en-Jalles", "33160", 329},
    {"33039", "Bègles", "33130", 318},
    {"33529", "La Teste-de-Buch", "33115", 276},
    {"33192", "Gradignan", "33170", 270},
    {"33119", "Cenon", "33150", 268},
    {"33249", "Lormont", "33310", 258},
    {"33069", "Le Bouscat", "33110", 251},
    {"33243", "Libourne", "33500", 250},
    {"33162", "Eysines", "33320", 248},
    {"33199", "Gujan-Mestras", "33470", 222},
    {"33075", "Bruges", "33520", 200},
    {"33167", "Floirac", "33270", 183},
    {"33003", "Ambarès-et-Lagrave", "33440", 176},
    {"33056", "Blanquefort", "33290", 172},
    {"33122", "Cestas", "33610", 167},
    {"33005", "Andernos-les-Bains", "33510", 127},
    {"33366", "Saint-André-de-Cubzac", "33240", 126},
    {"33284", "Mios", "33380", 120},
    {"33051", "Biganos", "33380", 114},
    {"33200", "Le Haillan", "33185", 114},
    {"33009", "Arcachon", "33120", 111},
    {"33519", "Le Taillan-Médoc", "33320", 111},
    {"33312", "Parempuyre", "33290", 107},
    {"33238", "Léognan", "33850", 107},
    {"33433", "Saint-Loubès", "33450", 100},
    {"33422", "Saint-Jean-d'Illac", "33127", 96},
    {"33019", "Audenge", "33980", 96},
    {"33527", "Le Teich", "33470", 92},
    {"33013", "Artigues-près-Bordeaux", "33370", 87},
    {"33138", "Coutras", "33230", 87},
    {"33032", "Bassens", "33530", 84},
    {"33096", "Carbon-Blanc", "33560", 83},
    {"33498", "Salles", "33770", 82},
    {"33273", "Martignas-sur-Jalle", "33127", 81},
    {"33236", "Lège-Cap-Ferret", "33950", 79},
    {"33376", "Saint-Aubin-de-Médoc", "33160", 78},
    {"33227", "Langon", "33210", 77},
    {"33229", "Lanton", "33138", 73},
    {"33322", "Le Pian-Médoc", "33290", 73},
    {"33080", "Cadaujac", "33140", 69},
    {"33011", "Arès", "33740", 65},
    {"33207", "Izon", "33450", 64},
    {"33042", "Belin-Béliet", "33830", 63},
    {"33393", "Saint-Denis-de-Pile", "33910", 60},
    {"33240", "Lesparre-Médoc", "33340", 59},
    {"33029", "Le Barp", "33114", 58},
    {"33090", "Canéjan", "33610", 58},
    {"33214", "Lacanau", "33680", 57},
    {"33555", "Marcheprime", "33380", 57},
    {"33256", "Ludon-Médoc", "33290", 56},
    {"33535", "Tresses", "33370", 53},
    {"33314", "Pauillac", "33250", 52},
    {"33058", "Blaye", "33390", 51},
    {"33140", "Créon", "33670", 50},
    {"33397", "Sainte-Eulalie", "33560", 49},
    {"33424", "Saint-Laurent-Médoc", "33112", 49},
    {"33104", "Castelnau-de-Médoc", "33480", 49},
};
const size_t synth_communes_n = N_OF(synth_communes);

const char *const synth_bordeaux_cps[] = {"33000", "33100", "33200", "33300", "33800"};
const size_t synth_bordeaux_cps_n = N_OF(synth_bordeaux_cps);

/* Birth places in the NIR. Corsica: "20" before 1976, "2A"/"2B" from 1976 (the generator
 * picks "20" itself for earlier births). "97": La Réunion (97401-97424). "99": born abroad,
 * the three digits are the INSEE country code. */
const synth_birthplace synth_birthplaces[] = {
    {"33", 1, 555, 540},
    {"2A", 1, 362, 8},
    {"2B", 2, 365, 8},
    {"75", 101, 20, 40},   /* Paris: arrondissements 75101-75120 */
    {"17", 1, 470, 30},
    {"24", 1, 550, 40},
    {"40", 1, 330, 30},
    {"47", 1, 320, 30},
    {"64", 1, 550, 25},
    {"16", 1, 400, 20},
    {"31", 1, 580, 20},
    {"13", 1, 120, 15},
    {"69", 1, 290, 10},
    {"59", 1, 660, 10},
    {"93", 1, 70, 10},
    {"44", 1, 220, 10},
    {"29", 1, 300, 10},
    {"87", 1, 200, 10},
    {"86", 1, 290, 10},
    {"97", 401, 24, 12},
    {"99", 350, 1, 25},    /* Maroc */
    {"99", 352, 1, 20},    /* Algérie */
    {"99", 351, 1, 8},     /* Tunisie */
    {"99", 341, 1, 8},     /* Sénégal */
    {"99", 139, 1, 15},    /* Portugal */
    {"99", 134, 1, 10},    /* Espagne */
    {"99", 127, 1, 5},     /* Italie */
    {"99", 109, 1, 4},     /* Allemagne */
    {"99", 243, 1, 4},     /* Viêt Nam */
    {"99", 208, 1, 4},     /* Turquie */
};
const size_t synth_birthplaces_n = N_OF(synth_birthplaces);

/* Most frequent first: sampling weight decreases with the rank. */
const char *const synth_surnames[] = {
    "Martin", "Bernard", "Dubois", "Thomas", "Robert", "Richard", "Petit", "Durand",
    "Leroy", "Moreau", "Simon", "Laurent", "Lefebvre", "Michel", "Garcia", "David",
    "Bertrand", "Roux", "Vincent", "Fournier", "Morel", "Girard", "André", "Lefèvre",
    "Mercier", "Dupont", "Lambert", "Bonnet", "François", "Martinez", "Legrand", "Garnier",
    "Faure", "Rousseau", "Blanc", "Guérin", "Muller", "Henry", "Roussel", "Nicolas",
    "Perrin", "Morin", "Mathieu", "Clément", "Gauthier", "Dumont", "Lopez", "Fontaine",
    "Chevalier", "Robin", "Masson", "Sanchez", "Gérard", "Nguyễn", "Boyer", "Denis",
    "Lemaire", "Duval", "Joly", "Gautier", "Roger", "Roche", "Roy", "Noël",
    "Meyer", "Lucas", "Meunier", "Jean", "Pérez", "Marchand", "Dufour", "Blanchard",
    "Marie", "Barbier", "Brun", "Dumas", "Brunet", "Schmitt", "Leroux", "Colin",
    "Fernandez", "Pierre", "Renard", "Arnaud", "Rolland", "Caron", "Aubert", "Giraud",
    "Leclerc", "Vidal", "Bourgeois", "Renaud", "Lemoine", "Picard", "Gaillard", "Philippe",
    "Leclercq", "Lacroix", "Fabre", "Dupuis", "Olivier", "Rodriguez", "Da Silva", "Hubert",
    "Louis", "Charles", "Guillot", "Rivière", "Le Gall", "Guillaume", "Adam", "Rey",
    "Moulin", "Gonçalves", "Boucher", "Caillaud", "Lalanne", "Dubos", "Labat", "Lafon",
    "Lacoste", "Dupouy", "Darriet", "Castaing", "Laborde", "Duprat", "Lagarde", "Cazenave",
    "Barrère", "Larrieu", "Ducasse", "Bordes", "Lartigue", "Dufau", "Marsan", "Pujol",
    "Sarrazin", "Baylac", "Lamarque", "Despujols", "Capdevielle", "Laffargue", "Tauzin",
    "Labarthe", "Lannes", "Latapie", "Darrigrand", "Lasserre", "Lestage", "Soulé", "Estève",
    "Dupin", "Mauriac", "Bénard", "Carré", "Ménard", "Hervé", "Léger", "Prévost",
    "Lévêque", "Rémy", "Barré", "Étienne", "Lemaître", "Maréchal", "Barthélemy", "Benoît",
    "Le Bihan", "Le Floch", "Le Roux", "Le Goff", "de la Fontaine", "de Lacaze",
    "Dupont-Moreau", "Saint-Martin", "Da Costa", "Dos Santos", "Ferreira", "Pereira",
    "Rodrigues", "Fernandes", "Lopes", "Martins", "Carvalho", "Oliveira", "Sousa",
    "N'Diaye", "Diallo", "Traoré", "Koné", "Diop", "Ba", "Mendy", "Sow", "Camara", "Keïta",
    "Touré", "Cissé", "Coulibaly", "Fofana", "Benali", "Bensaïd", "Haddad", "Mansouri",
    "Belkacem", "Chérif", "Amrani", "El Idrissi", "Ben Ahmed", "Benyahia", "Boukhari",
    "Zerrouki", "Hamidi", "Saïdi", "Kaci", "Ouali", "Boumediene", "Aït Ali", "El Khoury",
    "Trần", "Lê", "Phạm", "Hoàng", "Đặng", "Vũ", "Wang", "Chen", "Yılmaz", "Şahin",
    "Kaya", "Nowak", "Kowalski", "Łukasiewicz", "Petrossian", "Ibáñez", "Muñoz",
    "Martínez Ruiz", "Lœuillet", "Œuvray", "Cœurdevey", "Lebœuf", "Sœur", "Vœux",
    "Bouvier", "Julien", "Millet", "Perrot", "Daniel", "Cousin", "Germain", "Breton",
    "Besson", "Langlois", "Pelletier", "Perrier", "Leblanc", "Lebrun", "Marchal", "Weber",
    "Mallet", "Hamon", "Boulanger", "Jacob", "Monnier", "Michaud", "Guichard", "Gillet",
    "Poulain", "Tessier", "Chevallier", "Collin", "Chauvin", "Bouchet", "Gay", "Humbert",
    "Reynaud", "Antoine", "Perret", "Cordier", "Pichon", "Lejeune", "Gilbert", "Lamy",
    "Delaunay", "Pasquier", "Carlier", "Laporte", "Royer", "Klein", "Jacquet", "Paris",
    "Poirier", "Marty", "Aubry", "Guyot", "Renault", "Charpentier", "Maillard", "Baron",
    "Bertin", "Bailly", "Schneider", "Collet", "Fleury", "Huet", "Vasseur", "Deschamps",
    "Carpentier", "Berger", "Dupuy", "Lecomte", "Hoarau", "Payet", "Grondin", "Técher",
    "Duboscq", "Lacaze", "Labadie", "Dartigues", "Castagnet", "Pouyanne", "Larrue",
    "Haurie", "Brethes", "Ducourau", "Lafargue", "Mora", "Hernandez", "Gomez", "Diaz",
    "Ruiz", "Alvarez", "Romero", "Navarro", "Torres", "Moreno",
};
const size_t synth_surnames_n = N_OF(synth_surnames);

static const char *const fn_m0[] = {
    "Jean", "Pierre", "Michel", "André", "Jacques", "René", "Bernard", "Claude", "Roger",
    "Marcel", "Robert", "Henri", "Louis", "Gérard", "Daniel", "Alain", "Guy", "Raymond",
    "Georges", "Maurice", "Jean-Pierre", "Jean-Claude", "Jean-Louis", "Jean-Marie",
    "Christian", "Serge", "Roland", "Lucien", "Gilbert", "Yves", "Francis", "Joseph", "Paul",
    "Albert", "Mohamed", "Ahmed", "Antonio", "Manuel", "José", "Émile", "Fernand", "Gaston",
    "Jean-Baptiste", "Hervé", "Noël", "Régis", "Édouard", "Léon", "Abdelkader", "Văn Minh",
};
static const char *const fn_m1[] = {
    "Philippe", "Patrick", "Thierry", "Éric", "Stéphane", "Christophe", "Frédéric",
    "Laurent", "Olivier", "Sébastien", "David", "Nicolas", "Pascal", "Franck", "Didier",
    "Vincent", "Julien", "Jérôme", "Cédric", "Fabrice", "Benoît", "François", "Jean-Pierre",
    "Jean-François", "Pierre-Yves", "Loïc", "Gaël", "Hervé", "Yannick", "Arnaud",
    "Guillaume", "Grégory", "Mickaël", "Karim", "Rachid", "Samir", "Mehdi", "Ludovic",
    "Anthony", "Jean-Christophe", "Joël", "Bruno", "Emmanuel", "Xavier", "Mamadou",
    "Mustafa", "Jean-Michel", "Marc-Antoine", "Sylvain", "Jérémie",
};
static const char *const fn_m2[] = {
    "Lucas", "Hugo", "Louis", "Gabriel", "Arthur", "Jules", "Nathan", "Léo", "Raphaël",
    "Adam", "Ethan", "Noah", "Tom", "Théo", "Enzo", "Mathis", "Maël", "Paul", "Sacha",
    "Timéo", "Nolan", "Yanis", "Rayan", "Mohamed", "Ilyès", "Adrien", "Baptiste", "Maxime",
    "Alexandre", "Thomas", "Quentin", "Romain", "Kévin", "Jérémy", "Loïc", "Gaël", "Noé",
    "Aaron", "Mathéo", "Clément", "Benoît", "Łukasz", "Anaël", "Évan", "Aymeric",
    "Jean-Baptiste", "Gaëtan", "Florian", "Killian", "Younès",
};
static const char *const fn_f0[] = {
    "Marie", "Jeanne", "Monique", "Françoise", "Jacqueline", "Simone", "Paulette", "Odette",
    "Yvette", "Colette", "Denise", "Suzanne", "Germaine", "Micheline", "Ginette", "Josette",
    "Huguette", "Christiane", "Danielle", "Nicole", "Geneviève", "Annie", "Michèle",
    "Marie-Claire", "Marie-Thérèse", "Anne-Marie", "Éliane", "Lucienne", "Andrée", "Renée",
    "Gisèle", "Hélène", "Yvonne", "Marguerite", "Fatima", "Rosa", "Thérèse", "Bernadette",
    "Mauricette", "Claudine", "Marie-Louise", "Raymonde", "Solange", "Arlette", "Zohra",
    "Maria", "Lucette", "Éveline", "Jeannine", "Thị Lan",
};
static const char *const fn_f1[] = {
    "Nathalie", "Isabelle", "Sylvie", "Catherine", "Valérie", "Sandrine", "Christine",
    "Véronique", "Céline", "Stéphanie", "Sophie", "Laurence", "Karine", "Virginie",
    "Aurélie", "Émilie", "Julie", "Caroline", "Delphine", "Séverine", "Patricia", "Corinne",
    "Florence", "Marie-Claire", "Anne-Sophie", "Élodie", "Mélanie", "Audrey", "Vanessa",
    "Nadia", "Samira", "Malika", "Aïcha", "Hélène", "Agnès", "Béatrice", "Brigitte",
    "Carole", "Gaëlle", "Laetitia", "Magali", "Fatoumata", "Thị Hoa", "Marie-Hélène",
    "Anne-Laure", "Noémie", "Maryline", "Chrystèle", "Soazig", "Anaïs",
};
static const char *const fn_f2[] = {
    "Emma", "Léa", "Chloé", "Manon", "Camille", "Inès", "Jade", "Louise", "Sarah", "Anaïs",
    "Noémie", "Maëlle", "Zoé", "Lina", "Lola", "Juliette", "Clara", "Léna", "Alice",
    "Romane", "Océane", "Mathilde", "Margaux", "Pauline", "Marine", "Mélissa", "Yasmine",
    "Aya", "Nour", "Maïssa", "Eva", "Rose", "Ambre", "Lucie", "Héloïse", "Éloïse", "Zoë",
    "Agathe", "Capucine", "Maëlys", "Anaëlle", "Inaya", "Chloë", "Lou-Ann", "Marie-Lou",
    "Aminata", "Salomé", "Jeanne", "Célia", "Naïma",
};

const char *const *const synth_firstnames[2][3] = {
    {fn_m0, fn_m1, fn_m2}, {fn_f0, fn_f1, fn_f2}};
const size_t synth_firstnames_n[2][3] = {
    {N_OF(fn_m0), N_OF(fn_m1), N_OF(fn_m2)}, {N_OF(fn_f0), N_OF(fn_f1), N_OF(fn_f2)}};

const synth_street_type synth_street_types[] = {
    {"rue", "r.", "R", 38},
    {"avenue", "av.", "AV", 15},
    {"boulevard", "bd", "BD", 5},
    {"allée", "all.", "ALL", 10},
    {"place", "pl.", "PL", 3},
    {"chemin", "ch.", "CHE", 8},
    {"impasse", "imp.", "IMP", 7},
    {"cours", "crs", "CRS", 4},
    {"route", "rte", "RTE", 5},
    {"quai", "q.", "QUAI", 2},
    {"square", "sq.", "SQ", 1},
};
const size_t synth_street_types_n = N_OF(synth_street_types);

const char *const synth_street_names[] = {
    "de l'Église", "des Œillets", "Victor Hugo", "Jean Jaurès", "du Maréchal Leclerc",
    "de la République", "Pasteur", "des Pins", "Gambetta", "du Général de Gaulle",
    "de la Gare", "des Écoles", "Saint-Jacques", "Sainte-Catherine", "du Château d'Eau",
    "des Acacias", "des Lilas", "de la Libération", "Émile Zola", "Jules Ferry",
    "Aristide Briand", "Thiers", "de Verdun", "du 8 Mai 1945", "des Chênes",
    "de la Liberté", "Anatole France", "Louis Pasteur", "de Bègles", "de Pessac",
    "d'Arès", "du Médoc", "de l'Yser", "François Mauriac", "Montesquieu", "des Vignes",
    "du Stade", "des Peupliers", "de la Paix", "Pierre Curie", "Marie Curie",
    "Georges Clemenceau", "Camille Jullian", "du Moulin", "des Tilleuls", "de la Forêt",
    "Albert Camus", "des Érables", "de la Croix Blanche", "Lafontaine", "Nelson Mandela",
    "des Fauvettes", "Jean Moulin", "de l'Hôtel de Ville", "du Lac", "des Mimosas",
    "de la Poste", "Léon Blum", "Salvador Allende", "Paul Doumer", "des Cigales",
};
const size_t synth_street_names_n = N_OF(synth_street_names);

const char *const synth_residences[] = {
    "Les Pins", "Les Aubiers", "Le Grand Parc", "Les Hauts de Garonne", "La Benauge",
    "Les Chartrons", "Le Lac", "Saige", "Les Sablières", "Le Burck", "Thouars",
    "Les Mimosas", "Le Haut-Lévêque", "Beaudésert", "La Morlette", "Palmer",
    "Les Erables", "Le Prêche", "Yves Farge", "Carriet", "Les Œillets", "Génicart",
};
const size_t synth_residences_n = N_OF(synth_residences);
