"""Welsh words for requesters: reference wording, each entry awaiting the translators' review."""

from recordings.wording import Draft

WORDS: dict[str, str] = {
    "months": Draft(
        "Ionawr Chwefror Mawrth Ebrill Mai Mehefin Gorffennaf Awst Medi Hydref Tachwedd Rhagfyr"
    ),
    "weekdays": Draft("Llun Mawrth Mercher Iau Gwener Sadwrn Sul"),
    "weekday_date": Draft("Dydd {weekday} {date}"),
    "sender": Draft("Cyngor St Helens – Contact Cares"),
    "subject": Draft("Eich cais am gopïau o recordiadau eich galwadau (cyfeirnod {reference})"),
    "greeting": Draft("Annwyl {name},"),
    "received": Draft("Cawsom eich cais ar {received}."),
    "found_some": Draft(
        "Daethom o hyd i {count} recordiad o'ch galwadau i Contact Cares. Maen nhw'n dod gyda'r "
        "llythyr hwn fel ffeiliau sain MP3, sy'n chwarae ar y rhan fwyaf o ffonau a "
        "chyfrifiaduron. Mae'r ffeil 'manifest.txt' yn rhestru dyddiad, amser a hyd pob galwad."
    ),
    "found_none": Draft(
        "Rydym wedi chwilio ein recordiadau galwadau ac nid oes dim i'w ddarparu ar gyfer "
        "eich cais."
    ),
    "not_counted": Draft(
        "Mae'r recordiadau a ddarparwn yn dod gyda'r llythyr hwn fel ffeiliau sain MP3, sy'n "
        "chwarae ar y rhan fwyaf o ffonau a chyfrifiaduron."
    ),
    "heading_purposes": Draft("Pam rydym yn recordio galwadau"),
    "purposes": Draft(
        "Rydym yn recordio galwadau i Contact Cares at ddibenion hyfforddi ac ansawdd ac i'n "
        "helpu i ddelio â chwynion. Ein sail gyfreithlon yw ein tasg gyhoeddus fel awdurdod "
        "lleol (erthygl 6(1)(e) GDPR y DU)."
    ),
    "heading_categories": Draft("Beth sydd yn y recordiadau"),
    "categories": Draft(
        "Eich llais a'r hyn a ddywedwyd yn ystod yr alwad, y rhif y gwnaethoch ffonio ohono, a "
        "dyddiad, amser a hyd yr alwad. Gall galwad hefyd gynnwys gwybodaeth am eich iechyd "
        "neu'ch gofal, sy'n ddata categori arbennig."
    ),
    "heading_recipients": Draft("Pwy sydd â'r recordiadau"),
    "recipients": Draft(
        "Cynghorwyr Contact Cares Cyngor St Helens a'u rheolwyr. Mae'r recordiadau'n cael eu "
        "cludo a'u storio ar ein rhan gan ein proseswyr (ein darparwr ffôn a'n darparwr storio "
        "diogel yn y DU a'r Ardal Economaidd Ewropeaidd), a all eu defnyddio ar ein "
        "cyfarwyddiadau yn unig. Nid ydym yn eu rhannu â neb arall oni bai bod y gyfraith yn "
        "mynnu hynny."
    ),
    "heading_retention": Draft("Am ba hyd rydym yn eu cadw"),
    "retention": Draft(
        "Rydym yn cadw recordiadau galwadau am chwe mis ac yna'n eu dileu, oni bai bod angen un "
        "arnom am fwy o amser ar gyfer cwyn, hawliad cyfreithiol neu gais fel eich un chi."
    ),
    "heading_source": Draft("O ble daeth y wybodaeth"),
    "source": Draft(
        "Ni a recordiodd eich galwadau i Contact Cares. Nid ydym yn gwneud penderfyniadau "
        "awtomataidd amdanoch o recordiadau galwadau."
    ),
    "heading_rights": Draft("Eich hawliau"),
    "rights": Draft(
        "Mae gennych hawl i ofyn i ni gywiro gwybodaeth anghywir, ei dileu, cyfyngu ar sut "
        "rydym yn ei defnyddio, a gwrthwynebu i ni ei defnyddio."
    ),
    "heading_complain": Draft("Sut i gwyno"),
    "complain": Draft(
        "Os ydych yn anfodlon â'r ffordd y deliom â'ch cais, cysylltwch â Swyddog Diogelu Data'r "
        "cyngor gan nodi'r cyfeirnod uchod. Gallwch hefyd gwyno i Swyddfa'r Comisiynydd "
        "Gwybodaeth (ICO): ico.org.uk/make-a-complaint, ffôn 0303 123 1113, neu ysgrifennwch at "
        "Swyddfa'r Comisiynydd Gwybodaeth, Wycliffe House, Water Lane, Wilmslow, Cheshire "
        "SK9 5AF."
    ),
    "link_warning": Draft(
        "Mae'r ddolen lawrlwytho a anfonwn atoch yn dod i ben ac mae ar eich cyfer chi yn unig: "
        "peidiwch â'i rhannu."
    ),
    "sign_off": Draft("Yn gywir,"),
    "signature": Draft("Swyddog Diogelu Data, Cyngor St Helens"),
    "by_email": Draft("Drwy e-bost: {email}"),
    "mail_subject": Draft("Rydym wedi cael eich cais ({reference})"),
    "mail_body": Draft(
        "Annwyl {name},\n\n"
        "Diolch. Rydym wedi cael eich cais am gopïau o recordiadau eich galwadau.\n\n"
        "Eich cyfeirnod yw {reference}. Nodwch hwn os byddwch yn cysylltu â ni.\n\n"
        "Beth sy'n digwydd nesaf\n\n"
        "Byddwn yn cysylltu â chi i wirio pwy ydych chi. Yna byddwn yn ateb o fewn mis i'r "
        "gwiriad hwnnw. Os bydd angen mwy o amser arnom, byddwn yn dweud pam wrthych.\n\n"
        "Ni fyddwn yn anfon recordiadau drwy e-bost. Pan fyddant yn barod, byddwn yn anfon "
        "dolen lawrlwytho ddiogel atoch, neu lythyr os gofynnoch am un.\n\n"
        "Os na wnaethoch chi'r cais hwn, rhowch wybod i ni drwy ateb yr e-bost hwn.\n\n"
        "Cyngor St Helens – Contact Cares\n"
    ),
    "refusal_notice": Draft(
        "Mae eich cais gwrthrych am wybodaeth {reference} wedi'i wrthod oherwydd ein bod o'r "
        "farn ei fod {ground}. Ein rhesymau: {reason}\n\n"
        "Os ydych yn anfodlon â'r penderfyniad hwn, gallwch gwyno i Swyddfa'r Comisiynydd "
        "Gwybodaeth (ICO): https://ico.org.uk/make-a-complaint/ neu 0303 123 1113. Gallwch "
        "hefyd ofyn i lys orchymyn i ni gydymffurfio â'ch cais."
    ),
    "refusal_manifestly_unfounded": Draft("yn amlwg yn ddi-sail"),
    "refusal_manifestly_excessive": Draft("yn amlwg yn ormodol"),
    "date_and_time": Draft("{date}, {time}"),
    "time_not_known": Draft("anhysbys"),
    "manifest_title": Draft("Recordiadau a ddarperir ar gyfer cais {reference}"),
    "manifest_when": Draft("Dyddiad ac amser yr alwad: {when} (amser y DU)"),
    "manifest_length": Draft("Hyd: {length} (munudau:eiliadau)"),
    "manifest_silenced": Draft("Tawelwyd o {start} i {end}: {reason}"),
    "manifest_nothing_silenced": Draft("Ni thawelwyd dim o'r recordiad hwn."),
    "manifest_none_found": Draft("Ni ddaethom o hyd i unrhyw recordiadau i'w darparu."),
    "redaction_reason": Draft("gwybodaeth am bobl eraill"),
    "recordings_one": Draft("{count} recordiad"),
    "recordings_many": Draft("{count} recordiad"),  # a numeral takes the singular in Welsh
    "note_found": Draft("Daethom o hyd i {recordings} o'ch galwadau i Contact Cares."),
    "note_files": Draft(
        "Maen nhw yn y ffolder 'recordings' fel ffeiliau sain MP3, sy'n chwarae ar y rhan fwyaf "
        "o ffonau a chyfrifiaduron. Mae'r ffeil 'manifest.txt' yn rhestru dyddiad, amser a hyd "
        "pob galwad."
    ),
    "note_channels": Draft(
        "Mae gan bob recordiad ddwy sianel: chi (y galwr) a chynghorydd y cyngor."
    ),
    "note_silenced": Draft(
        "Mewn {recordings} rydym wedi rhoi distawrwydd yn lle rhannau byr am eu bod yn cynnwys "
        "gwybodaeth am bobl eraill, y mae'n rhaid i ni ei diogelu. Mae'r maniffest yn dweud ble "
        "a pham."
    ),
    "note_keeping": Draft(
        "Rydym yn cadw recordiadau galwadau am chwe mis ac yna'n eu dileu. Os ydych yn meddwl "
        "bod rhywbeth ar goll, neu os ydych yn anfodlon â'r ffordd y deliom â'ch cais, "
        "cysylltwch â Swyddog Diogelu Data'r cyngor gan nodi'r cyfeirnod uchod. Gallwch hefyd "
        "gwyno i Swyddfa'r Comisiynydd Gwybodaeth (ico.org.uk, 0303 123 1113)."
    ),
    "note_link": Draft(
        "Mae'r ddolen lawrlwytho hon yn dod i ben a dim ond chi all ei defnyddio: peidiwch â'i "
        "rhannu."
    ),
    "note_signature": Draft("Cyngor St Helens, Contact Cares"),
}
