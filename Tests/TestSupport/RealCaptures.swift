/// Real captures of the live services (`../shared/samples/real/`, read through ``SharedData``) that tests route as
/// a night would bring them.
public enum RealCaptures {
    /// BOAMP, TED and aides-territoires records: tenders and calls for projects with their places, lots and CPV.
    public static let routable = [
        "samples/real/boamp/DERIVED-unwrapped-data-of-jpbenga-where-dateparution-2026.json",
        "samples/real/boamp/kivou-boamp-records-4-awards-2026-08.json",
        "samples/real/ted/ted-619675-2026-FRA-buyer.json",
        "samples/real/ted/kivou-612553-2026-CNES-cn.xml",
        "samples/real/ted/DERIVED-wrapped-vswatchdog-612558-2026.json",
        "samples/real/aides-territoires/offseason-AT_aides_full-2021-11-26-TRIMMED.json",
        "samples/real/aides-territoires/at-django-dataproviders-test-departement_drome_data.json",
    ]

    /// DECP's marchés of 2019 and 2022: places all over France, overseas included.
    public static let decp = [
        "samples/real/decp/decp-rama-e-marchespublics-2019-04-03.json",
        "samples/real/decp/decp-processing-decp_test-format2022.json",
    ]

    /// The source id a capture is parsed under: its service's folder (`boamp`, `ted`, `decp`…).
    public static func sourceID(of path: String) -> String {
        String(path.split(separator: "/")[2])
    }
}
