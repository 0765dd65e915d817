"""English words for requesters: the cover letter, the confirmation email and the package."""

WORDS: dict[str, str] = {
    "months": "January February March April May June July August September October "
    "November December",
    "weekdays": "Monday Tuesday Wednesday Thursday Friday Saturday Sunday",
    "weekday_date": "{weekday} {date}",
    "sender": "St Helens Council – Contact Cares",
    "subject": "Your request for copies of your call recordings (reference {reference})",
    "greeting": "Dear {name},",
    "received": "We received your request on {received}.",
    "found_some": "We found {count} recording(s) of your calls to Contact Cares. They come with "
    "this letter as MP3 audio files, which play on most phones and computers. The file "
    "'manifest.txt' lists the date, time and length of each call.",
    "found_none": "We searched our call recordings and found none to provide for your request.",
    "not_counted": "The recordings we provide come with this letter as MP3 audio files, which "
    "play on most phones and computers.",
    "heading_purposes": "Why we record calls",
    "purposes": "We record calls to Contact Cares for training and quality purposes and to "
    "help us deal with complaints. Our lawful basis is our public task as a local authority "
    "(UK GDPR article 6(1)(e)).",
    "heading_categories": "What the recordings contain",
    "categories": "Your voice and what was said during the call, the number you called from, "
    "and the date, time and length of the call. A call may also include information about "
    "your health or care, which is special category data.",
    "heading_recipients": "Who has the recordings",
    "recipients": "St Helens Council's Contact Cares advisors and their managers. The "
    "recordings are carried and stored for us by our processors (our telephone provider and "
    "our secure storage provider in the UK and European Economic Area), who may use them "
    "only on our instructions. We do not share them with anyone else unless the law requires "
    "it.",
    "heading_retention": "How long we keep them",
    "retention": "We keep call recordings for six months and then delete them, unless we need "
    "one for longer for a complaint, a legal claim or a request like yours.",
    "heading_source": "Where the information came from",
    "source": "We recorded your calls to Contact Cares ourselves. We do not make automated "
    "decisions about you from call recordings.",
    "heading_rights": "Your rights",
    "rights": "You have the right to ask us to correct information that is wrong, to delete "
    "it, to restrict how we use it, and to object to our using it.",
    "heading_complain": "How to complain",
    "complain": "If you are unhappy with how we handled your request, please contact the "
    "council's Data Protection Officer quoting the reference above. You can also complain to "
    "the Information Commissioner's Office (ICO): ico.org.uk/make-a-complaint, telephone "
    "0303 123 1113, or write to Information Commissioner's Office, Wycliffe House, Water "
    "Lane, Wilmslow, Cheshire SK9 5AF.",
    "link_warning": "The download link we send you expires and is for you only: please do not "
    "share it.",
    "sign_off": "Yours sincerely,",
    "signature": "Data Protection Officer, St Helens Council",
    "by_email": "By email: {email}",
    # The confirmation email sent when the online form is submitted.
    "mail_subject": "We have received your request ({reference})",
    "mail_body": "Dear {name},\n\n"
    "Thank you. We have received your request for copies of your call recordings.\n\n"
    "Your reference is {reference}. Please quote it if you contact us.\n\n"
    "What happens next\n\n"
    "We will contact you to check your identity. We will then reply within one month of "
    "that check. If we need more time we will tell you why.\n\n"
    "We will not send recordings by email. When they are ready we will send you a secure "
    "download link, or a letter if you asked for one.\n\n"
    "If you did not make this request, please tell us by replying to this email.\n\n"
    "St Helens Council – Contact Cares\n",
    # The notice sent when a request is refused (UK GDPR art. 12(4)-(5)).
    "refusal_notice": "Your subject access request {reference} has been refused because we "
    "consider it {ground}. Our reasons: {reason}\n\n"
    "If you are unhappy with this decision you can complain to the Information Commissioner's "
    "Office (ICO): https://ico.org.uk/make-a-complaint/ or 0303 123 1113. You can also ask a "
    "court to order us to comply with your request.",
    "refusal_manifestly_unfounded": "manifestly unfounded",
    "refusal_manifestly_excessive": "manifestly excessive",
    # The package's manifest.txt and cover-note.txt (the subject and greeting are the letter's).
    "date_and_time": "{date}, {time}",
    "time_not_known": "not known",
    "manifest_title": "Recordings provided for request {reference}",
    "manifest_when": "Call date and time: {when} (UK time)",
    "manifest_length": "Length: {length} (minutes:seconds)",
    "manifest_silenced": "Silenced from {start} to {end}: {reason}",
    "manifest_nothing_silenced": "Nothing was silenced.",
    "manifest_none_found": "We found no recordings to provide.",
    "redaction_reason": "information about other people",
    "recordings_one": "{count} recording",
    "recordings_many": "{count} recordings",
    "note_found": "We found {recordings} of your calls to Contact Cares.",
    "note_files": "They are in the 'recordings' folder as MP3 audio files, which play on most "
    "phones and computers. The file 'manifest.txt' lists the date, time and length of each call.",
    "note_channels": "Each recording has two channels: you (the caller) and the council advisor.",
    "note_silenced": "In {recordings} we have replaced short parts with silence because they "
    "contain information about other people, which we must protect. The manifest says where "
    "and why.",
    "note_keeping": "We keep call recordings for six months and then delete them. If you think "
    "something is missing, or you are unhappy with how we handled your request, please contact "
    "the council's Data Protection Officer quoting the reference above. You can also complain "
    "to the Information Commissioner's Office (ico.org.uk, 0303 123 1113).",
    "note_link": "This download link expires and can be used only by you: please do not share it.",
    "note_signature": "St Helens Council, Contact Cares",
}
