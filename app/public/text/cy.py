"""Welsh words of the access-request form: reference wording, each entry a `Draft` awaiting
review by the council's translators."""

from recordings.wording import Draft as D

WORDS: dict[str, str] = {
    "service_name": D("Gofyn am gopi o recordiadau eich galwadau"),
    "council": D("Cyngor St Helens – Contact Cares"),
    "skip_link": D("Neidio i'r prif gynnwys"),
    "other_language": D("English"),
    "other_language_label": D("Read this page in English"),
    "language_nav": D("Iaith"),
    "back": D("Yn ôl"),
    "continue": D("Parhau"),
    "error_prefix": D("Gwall"),
    "error_title_prefix": D("Gwall: "),
    "error_summary": D("Mae problem wedi codi"),
    "footer": D(
        "Cyngor St Helens – Contact Cares. Dim ond i ddelio â'ch cais y byddwn yn defnyddio'r "
        "atebion a roddwch."
    ),
    "start_title": D("Gofyn am gopi o recordiadau eich galwadau"),
    "start_intro": D(
        "Rydym yn recordio galwadau i Contact Cares, llinell gofal cymdeithasol oedolion, iechyd "
        "a gwasanaethau plant Cyngor St Helens. Mae gennych hawl i gael copi o recordiadau eich "
        "galwadau."
    ),
    "start_need": D("Bydd angen:"),
    "start_need_numbers": D("y rhifau ffôn y gwnaethoch ein ffonio ohonynt"),
    "start_need_dates": D("yn fras pryd y gwnaethoch ffonio, os ydych yn gwybod"),
    "start_need_authority": D(
        "os ydych yn gofyn ar ran rhywun arall, y math o ganiatâd sydd gennych i weithredu ar "
        "eu rhan"
    ),
    "start_keep": D(
        "Rydym yn cadw recordiadau galwadau am chwe mis. Byddwn yn gwirio pwy ydych chi cyn "
        "anfon unrhyw beth atoch. Mae'n cymryd tua 5 munud."
    ),
    "start_button": D("Dechrau nawr"),
    "name_title": D("Beth yw eich enw llawn?"),
    "name_hint": D("Rhowch yr enw y dylem ei ddefnyddio wrth ysgrifennu atoch."),
    "who_title": D("Ar gyfer pwy mae'r recordiadau?"),
    "who_myself": D("Fi fy hun – fi wnaeth y galwadau"),
    "who_someone_else": D("Rhywun arall – rwy'n gofyn ar eu rhan"),
    "their_details_title": D("Am y person rydych yn gofyn ar ei ran"),
    "subject_name_label": D("Eu henw llawn"),
    "authority_legend": D("Pa ganiatâd sydd gennych i weithredu ar eu rhan?"),
    "authority_consent": D("Maen nhw wedi rhoi eu caniatâd"),
    "authority_power_of_attorney": D("Atwrneiaeth"),
    "authority_court_order": D("Gorchymyn llys"),
    "evidence_label": D("Disgrifiwch y ddogfen sy'n dangos hyn"),
    "evidence_hint": D(
        "Er enghraifft, 'llythyr caniatâd wedi'i lofnodi' neu rif achos y gorchymyn llys. "
        "Byddwn yn gofyn i chi am gopi."
    ),
    "phones_title": D("O ba rifau ffôn y gwnaethoch ein ffonio?"),
    "phones_hint": D(
        "Rhowch bob rhif a ddefnyddiwyd gennych, er enghraifft 01744 676767 neu 07700 900123. "
        "Mae angen cod gwlad ar rifau o'r tu allan i'r DU, er enghraifft +353."
    ),
    "phone_label": D("Rhif ffôn {n}"),
    "phone_add": D("Ychwanegu rhif ffôn arall"),
    "when_title": D("Yn fras, pryd wnaethoch chi ffonio?"),
    "when_hint": D(
        "Os nad ydych yn gwybod, gadewch y rhain yn wag a byddwn yn chwilio'r holl recordiadau "
        "sydd gennym o hyd."
    ),
    "date_from_legend": D("O"),
    "date_to_legend": D("I"),
    "date_hint": D("Er enghraifft, 27 3 2026"),
    "day": D("Diwrnod"),
    "month": D("Mis"),
    "year": D("Blwyddyn"),
    "reply_title": D("Sut dylem ni ateb?"),
    "reply_email": D("Drwy e-bost"),
    "reply_post": D("Drwy'r post"),
    "email_label": D("Cyfeiriad e-bost"),
    "email_hint": D(
        "Byddwn yn anfon cadarnhad nawr a dolen ddiogel pan fydd eich recordiadau'n barod."
    ),
    "address_label": D("Cyfeiriad post"),
    "address_hint": D("Cofiwch gynnwys y cod post."),
    "language_title": D("Ym mha iaith y dylem ysgrifennu atoch?"),
    "language_en": D("Saesneg (English)"),
    "language_cy": D("Cymraeg"),
    "note_title": D("Oes unrhyw beth arall y dylem ei wybod?"),
    "note_hint": D(
        "Er enghraifft, galwad sydd o fwyaf o ddiddordeb i chi, neu help sydd ei angen arnoch "
        "i ddefnyddio'r recordiadau. Mae hyn yn ddewisol."
    ),
    "note_label": D("Unrhyw beth arall (dewisol)"),
    "check_title": D("Gwiriwch eich atebion cyn anfon eich cais"),
    "check_change": D("Newid"),
    "check_name": D("Enw llawn"),
    "check_who": D("Recordiadau ar gyfer"),
    "check_subject_name": D("Eu henw"),
    "check_authority": D("Caniatâd"),
    "check_evidence": D("Dogfen"),
    "check_phones": D("Rhifau ffôn"),
    "check_when": D("Pryd"),
    "check_any_time": D("Unrhyw bryd"),
    "check_reply": D("Ateb"),
    "check_language": D("Iaith"),
    "check_note": D("Unrhyw beth arall"),
    "check_none": D("Dim"),
    "check_declaration_title": D("Nawr anfonwch eich cais"),
    "check_declaration": D(
        "Drwy anfon y cais hwn rydych yn cadarnhau bod y manylion yn gywir a mai chi yw'r "
        "person a enwir, neu fod gennych eu caniatâd i ofyn."
    ),
    "check_submit": D("Derbyn ac anfon"),
    "done_title": D("Cais wedi'i anfon"),
    "done_reference": D("Eich cyfeirnod"),
    "done_email": D("Byddwn yn anfon cadarnhad i'ch cyfeiriad e-bost."),
    "done_next_title": D("Beth sy'n digwydd nesaf"),
    "done_next_identity": D(
        "Byddwn yn cysylltu â chi i wirio pwy ydych chi. Yna byddwn yn ateb o fewn mis i'r "
        "gwiriad hwnnw. Os bydd angen mwy o amser arnom, byddwn yn dweud pam wrthych."
    ),
    "done_next_search": D(
        "Rydym eisoes wedi sicrhau na fydd recordiadau eich galwadau'n cael eu dileu tra byddwn "
        "yn delio â'ch cais."
    ),
    "done_next_no_recordings": D("Ni fyddwn byth yn anfon recordiadau drwy e-bost."),
    "done_quote": D("Nodwch eich cyfeirnod os byddwch yn cysylltu â ni."),
    "error_name_missing": D("Rhowch eich enw llawn"),
    "error_name_too_long": D("Rhaid i'r enw llawn fod yn 200 nod neu lai"),
    "error_who_missing": D("Dewiswch ar gyfer pwy mae'r recordiadau"),
    "error_subject_name_missing": D("Rhowch enw llawn y person rydych yn gofyn ar ei ran"),
    "error_subject_name_too_long": D("Rhaid i'w henw llawn fod yn 200 nod neu lai"),
    "error_authority_missing": D("Dewiswch y caniatâd sydd gennych i weithredu ar eu rhan"),
    "error_evidence_missing": D("Disgrifiwch y ddogfen sy'n dangos eich caniatâd"),
    "error_evidence_too_long": D("Rhaid i'r disgrifiad fod yn 200 nod neu lai"),
    "error_phone_missing": D("Rhowch rif ffôn y gwnaethoch ein ffonio ohono"),
    "error_phone_invalid": D("Rhowch rif ffôn, fel 01744 676767, 07700 900123 neu +353 1 234 5678"),
    "error_phone_duplicate": D("Rydych eisoes wedi rhoi'r rhif ffôn hwn"),
    "error_date_from_invalid": D("Rhaid i'r dyddiad 'o' fod yn ddyddiad go iawn, fel 27 3 2026"),
    "error_date_to_invalid": D("Rhaid i'r dyddiad 'i' fod yn ddyddiad go iawn, fel 27 3 2026"),
    "error_date_future": D("Rhaid i'r dyddiad fod heddiw neu yn y gorffennol"),
    "error_date_order": D("Rhaid i'r dyddiad 'i' fod yr un fath â'r dyddiad 'o' neu ar ei ôl"),
    "error_reply_missing": D("Dewiswch sut y dylem ateb"),
    "error_email_missing": D("Rhowch eich cyfeiriad e-bost"),
    "error_email_invalid": D("Rhowch gyfeiriad e-bost yn y fformat cywir, fel enw@enghraifft.com"),
    "error_address_missing": D("Rhowch eich cyfeiriad post"),
    "error_address_too_long": D("Rhaid i'r cyfeiriad post fod yn 500 nod neu lai"),
    "error_language_missing": D("Dewiswch yr iaith y dylem ysgrifennu atoch ynddi"),
    "error_note_too_long": D("Rhaid i'ch nodyn fod yn 1,000 nod neu lai"),
    "error_text_invalid": D("Tynnwch y nodau arbennig o'ch ateb"),
    "rejected_title": D("Mae'n ddrwg gennym, ni allem dderbyn y ffurflen hon"),
    "rejected_message": D("Ewch yn ôl i'r dechrau a rhowch gynnig arall arni."),
    "csrf_title": D("Mae'n ddrwg gennym, mae'r dudalen hon wedi dod i ben"),
    "csrf_message": D(
        "I ddiogelu eich gwybodaeth, mae'r ffurflen wedi dod i ben. Ewch yn ôl i'r dechrau a "
        "rhowch gynnig arall arni."
    ),
    "limit_title": D("Mae'n ddrwg gennym, bu gormod o geisiadau"),
    "limit_message": D(
        "Rydym wedi cael gormod o geisiadau o'ch cysylltiad chi. Arhoswch awr a rhowch gynnig "
        "arall arni, neu ffoniwch Contact Cares ar 01744 676767."
    ),
    "not_found_title": D("Heb ddod o hyd i'r dudalen"),
    "not_found_message": D("Os gwnaethoch deipio'r cyfeiriad gwe, gwiriwch ei fod yn gywir."),
    "start_again": D("Mynd i'r dechrau"),
    "link_unknown_title": D("Nid yw'r ddolen lawrlwytho hon yn ddilys"),
    "link_unknown_message": D(
        "Gwiriwch eich bod wedi copïo'r ddolen gyfan o'r e-bost neu'r llythyr a anfonodd y "
        "cyngor atoch."
    ),
    "link_revoked_title": D("Mae'r ddolen lawrlwytho hon wedi'i thynnu'n ôl"),
    "link_revoked_message": D(
        "Cysylltwch â Swyddog Diogelu Data'r cyngor os oes angen eich recordiadau arnoch o hyd."
    ),
    "link_expired_title": D("Mae'r ddolen lawrlwytho hon wedi dod i ben"),
    "link_expired_message": D(
        "Cysylltwch â Swyddog Diogelu Data'r cyngor a gofynnwch am ddolen newydd."
    ),
    "link_replaced_title": D("Mae dolen lawrlwytho fwy newydd wedi cymryd lle'r un hon"),
    "link_replaced_message": D("Defnyddiwch y ddolen ddiweddaraf a anfonodd y cyngor atoch."),
    "link_deleted_title": D("Nid yw'r recordiadau hyn ar gael o'r ddolen hon mwyach"),
    "link_deleted_message": D("Cysylltwch â Swyddog Diogelu Data'r cyngor."),
}
