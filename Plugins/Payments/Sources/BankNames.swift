/// Names of the banks most boletos come from, by COMPE code (Banco Central's list of
/// participants; the rest show the code alone).
enum BankNames {
    static let names: [String: String] = [
        "001": "Banco do Brasil", "033": "Santander", "041": "Banrisul", "070": "BRB", "077": "Banco Inter", "084": "Uniprime",
        "085": "Ailos", "104": "Caixa Econômica Federal", "136": "Unicred", "197": "Stone", "208": "BTG Pactual", "212": "Banco Original",
        "237": "Bradesco", "260": "Nu Pagamentos (Nubank)", "290": "PagSeguro", "323": "Mercado Pago", "336": "C6 Bank", "341": "Itaú Unibanco",
        "380": "PicPay", "389": "Banco Mercantil do Brasil", "403": "Cora", "422": "Banco Safra", "748": "Sicredi", "756": "Sicoob",
    ]

    static func name(of code: String) -> String { names[code] ?? "" }
}
