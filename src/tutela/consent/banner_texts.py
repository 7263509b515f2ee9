"""The cookie banner's own labels in English, French, Dutch and German (issue 17).

The programme's texts (cookies, purposes) come from the programme and its translations;
these are the banner's buttons and category names. A language missing here falls back to
English (:func:`tutela.consent.banner.banner_config`).
"""

from __future__ import annotations

TEXTS: dict[str, dict[str, str]] = {
    "en": {
        "title": "Your privacy choices",
        "intro": "We use cookies. Necessary ones keep the site working; the others are "
        "set only if you accept them. You can change your choice at any time.",
        "accept_all": "Accept all",
        "reject_all": "Reject all",
        "save": "Save choices",
        "reopen": "Privacy choices",
        "always_on": "Always on",
        "gpc": "Your browser sends Global Privacy Control: marketing cookies stay off.",
        "notice": "Upcoming change to our privacy statement:",
        "statement": "Privacy statement",
        "necessary.label": "Necessary",
        "necessary.description": "Needed for the site to work; they cannot be switched off.",
        "preferences.label": "Preferences",
        "preferences.description": "Remember your choices, such as your language.",
        "statistics.label": "Statistics",
        "statistics.description": "Help us understand how visitors use the site.",
        "marketing.label": "Marketing",
        "marketing.description": "Measure our e-mails and let partners recognise you.",
    },
    "fr": {
        "title": "Vos choix de confidentialité",
        "intro": "Nous utilisons des cookies. Les cookies nécessaires font fonctionner le "
        "site ; les autres ne sont déposés que si vous les acceptez. Vous pouvez changer "
        "d'avis à tout moment.",
        "accept_all": "Tout accepter",
        "reject_all": "Tout refuser",
        "save": "Enregistrer mes choix",
        "reopen": "Choix de confidentialité",
        "always_on": "Toujours actifs",
        "gpc": "Votre navigateur envoie Global Privacy Control : les cookies marketing "
        "restent désactivés.",
        "notice": "Modification à venir de notre déclaration de confidentialité :",
        "statement": "Déclaration de confidentialité",
        "necessary.label": "Nécessaires",
        "necessary.description": "Indispensables au fonctionnement du site ; ils ne "
        "peuvent pas être désactivés.",
        "preferences.label": "Préférences",
        "preferences.description": "Mémorisent vos choix, comme votre langue.",
        "statistics.label": "Statistiques",
        "statistics.description": "Nous aident à comprendre l'usage du site.",
        "marketing.label": "Marketing",
        "marketing.description": "Mesurent nos e-mails et permettent à des partenaires "
        "de vous reconnaître.",
    },
    "nl": {
        "title": "Uw privacykeuzes",
        "intro": "Wij gebruiken cookies. Noodzakelijke cookies laten de site werken; de "
        "andere plaatsen we alleen als u ze aanvaardt. U kunt uw keuze altijd wijzigen.",
        "accept_all": "Alles aanvaarden",
        "reject_all": "Alles weigeren",
        "save": "Keuzes opslaan",
        "reopen": "Privacykeuzes",
        "always_on": "Altijd aan",
        "gpc": "Uw browser stuurt Global Privacy Control: marketingcookies blijven uit.",
        "notice": "Komende wijziging van onze privacyverklaring:",
        "statement": "Privacyverklaring",
        "necessary.label": "Noodzakelijk",
        "necessary.description": "Nodig om de site te laten werken; ze kunnen niet uit.",
        "preferences.label": "Voorkeuren",
        "preferences.description": "Onthouden uw keuzes, zoals uw taal.",
        "statistics.label": "Statistieken",
        "statistics.description": "Helpen ons begrijpen hoe bezoekers de site gebruiken.",
        "marketing.label": "Marketing",
        "marketing.description": "Meten onze e-mails en laten partners u herkennen.",
    },
    "de": {
        "title": "Ihre Datenschutz-Einstellungen",
        "intro": "Wir verwenden Cookies. Notwendige Cookies halten die Website in Betrieb; "
        "die anderen setzen wir nur, wenn Sie zustimmen. Sie können Ihre Wahl jederzeit "
        "ändern.",
        "accept_all": "Alle akzeptieren",
        "reject_all": "Alle ablehnen",
        "save": "Auswahl speichern",
        "reopen": "Datenschutz-Einstellungen",
        "always_on": "Immer aktiv",
        "gpc": "Ihr Browser sendet Global Privacy Control: Marketing-Cookies bleiben aus.",
        "notice": "Bevorstehende Änderung unserer Datenschutzerklärung:",
        "statement": "Datenschutzerklärung",
        "necessary.label": "Notwendig",
        "necessary.description": "Für den Betrieb der Website nötig; nicht abschaltbar.",
        "preferences.label": "Präferenzen",
        "preferences.description": "Speichern Ihre Auswahl, etwa Ihre Sprache.",
        "statistics.label": "Statistik",
        "statistics.description": "Helfen uns zu verstehen, wie die Website genutzt wird.",
        "marketing.label": "Marketing",
        "marketing.description": "Messen unsere E-Mails und lassen Partner Sie erkennen.",
    },
}
"""The banner's own labels per language (programme texts come from the programme)."""
