import Classifier
import Foundation
import Testing

@testable import Pipeline

@Suite struct ReasonWordingTests {
    let cluster = testRulebook.clusters[0]

    @Test(arguments: [
        (
            Reason(
                rule: "segment:usinage/keyword:usinage", field: .title, term: "usinage", matched: "Usinage", weight: 3),
            "Mot-clé « usinage » dans l'intitulé — segment « Usinage »"
        ),
        (
            Reason(
                rule: "segment:surface/keyword:photovoltaïque", field: .summary, term: "photovoltaïque",
                matched: "photovoltaïques", weight: 1.5),
            "Mot-clé « photovoltaïque » dans le résumé — segment « Traitement de surface »"
        ),
        (
            Reason(
                rule: "segment:usinage/keyword:pièces usinées", field: .lot, term: "pièces usinées",
                matched: "pieces usinees de precision", weight: 2.5, lotID: "2"),
            "Mot-clé « pièces usinées » dans le lot 2 (« pieces usinees de precision ») — segment « Usinage »"
        ),
        (
            Reason(rule: "segment:usinage/cpv:4262", field: .cpv, term: "4262", matched: "42621000-5", weight: 3),
            "Code CPV 42621000-5 (règle 4262) — segment « Usinage »"
        ),
        (
            Reason(rule: "filter:capacity/groupement", field: .value, term: "700 000 €", matched: "900 000 €", weight: 0),
            "Montant 900 000 € au-delà de votre capacité (700 000 €) : à envisager en groupement"
        ),
        (
            Reason(rule: "member:usinage-forez/interest:bogies", field: .title, term: "bogies", weight: 1),
            "Centre d'intérêt « bogies » dans l'intitulé"
        ),
        (
            Reason(
                rule: "watch:ferroviaire/keyword:tramway*", field: .title, term: "tramway*", matched: "tramways",
                weight: 3),
            "Veille enregistrée « ferroviaire » : tramways"
        ),
    ])
    func reasonsReadAsFrench(_ reason: Reason, _ expected: String) {
        #expect(ReasonWording.sentence(reason, cluster: cluster) == expected)
    }

    @Test func strongestFirstWithoutRepeats() {
        let r = Reason(rule: "segment:usinage/keyword:usinage", field: .title, term: "usinage", weight: 3)
        let weak = Reason(rule: "segment:usinage/keyword:tournage", field: .content, term: "tournage", weight: 1)
        #expect(
            ReasonWording.sentences([weak, r, r], cluster: cluster)
                == [
                    "Mot-clé « usinage » dans l'intitulé — segment « Usinage »",
                    "Mot-clé « tournage » dans le texte de l'avis — segment « Usinage »",
                ])
    }
}
