// Words of the submitter's page (collection link, issue #15): Japanese first, English on the switch.
// Kept apart from the console's dictionary: this page is for employees, not staff.

const ja = {
  'c.title': 'マイナンバーのご提出',
  'c.lang': 'English',
  'c.loading': '読み込み中…',
  'c.greeting': '{name} 様',
  'c.intro': '{company} から、マイナンバー（個人番号）のご提出をお願いしています。このページはあなた専用で、提出は1回だけできます。',
  'c.expires': '有効期限：{at}',
  'c.returned': '前回の提出は担当者から差し戻されました（理由：{reason}）。もう一度ご提出ください。',
  'c.step1': '1. 利用目的と取扱いの確認',
  'c.purposes': 'マイナンバーの利用目的',
  'c.dependentPurposes': 'ご家族（扶養親族）のマイナンバーの利用目的',
  'c.handling': '取扱いについて',
  'c.ack': '利用目的と取扱いの内容を確認しました',
  'c.next': '次へ',
  'c.step2': '2. あなたのマイナンバー',
  'c.provide': 'マイナンバーを提出する',
  'c.notProvide': '提出しない',
  'c.number': 'マイナンバー（12桁）',
  'c.numberHint': '数字12桁。スペースやハイフンは入れても構いません。',
  'c.reason': '提出しない理由',
  'c.step3': '3. 本人確認書類の写真',
  'c.docsExplain': '番号の確認と本人の確認のため、書類の写真が必要です。',
  'c.numberDoc': '番号を確認する書類',
  'c.idDocs': '本人を確認する書類（顔写真付きなら1点、そうでなければ2点）',
  'c.photo': '{doc}（{side}）',
  'c.front': 'おもて',
  'c.back': 'うら',
  'c.photoHint': 'カメラで撮影するか、写真を選んでください（JPEG・PNG・HEIC、{mb} MB まで）。位置情報などは保存時に取り除きます。',
  'c.photoTooLarge': '写真が大きすぎます（{mb} MB まで）。',
  'c.step4': '4. ご家族（扶養親族）',
  'c.depExplain': '扶養控除等申告書に記載するご家族のマイナンバーも提出できます。ご家族の本人確認はあなたが行ってください（写真は不要です）。',
  'c.addDep': 'ご家族を追加',
  'c.removeDep': 'このご家族を削除',
  'c.depName': '氏名',
  'c.depKana': '氏名（カナ）',
  'c.relationship': '続柄',
  'c.depDoc': 'あなたが確認した書類',
  'c.submit': '提出する',
  'c.submitting': '送信中…（写真の処理に少しかかります）',
  'c.done': 'ご提出ありがとうございました。担当者が確認します。このページは閉じて構いません。',
  'c.fix': '入力内容を確認してください：{what}',
  'mn.notString': '数字を入力してください', 'mn.tooLong': '長すぎます', 'mn.empty': '未入力です', 'mn.notDigits': '数字以外の文字が含まれています',
  'mn.length': '12桁ではありません（{count}桁）', 'mn.checkDigit': 'チェックデジットが合いません。入力を確認してください', 'mn.ok': '正しい形式です',
  'reason.declined': '提出を希望しない', 'reason.not-issued': '番号がまだない・わからない', 'reason.lives-abroad': '海外に住んでいる', 'reason.other': 'その他',
  'rel.spouse': '配偶者', 'rel.child': '子', 'rel.parent': '父母', 'rel.other': 'その他',
  'ret.image-unreadable': '写真が読み取れません', 'ret.number-mismatch': '番号が書類と一致しません', 'ret.documents-insufficient': '書類が足りません', 'ret.other': 'その他',
  'err.collection.link-unknown': 'このリンクは無効です。リンクを最後までコピーしたか確認してください。',
  'err.collection.link-used': 'このリンクはすでに使われています。内容に誤りがあれば担当者にお知らせください。',
  'err.collection.link-expired': 'このリンクは有効期限が切れています。担当者に新しいリンクを依頼してください。',
  'err.collection.link-cancelled': 'このリンクは取り消されました。担当者にお問い合わせください。',
  'err.collection.rate-limited-link': '短時間に何度も送信されました。しばらく待ってからもう一度お試しください。',
  'err.collection.rate-limited-address': '短時間に何度も送信されました。しばらく待ってからもう一度お試しください。',
  'err.collection.notice-changed': '案内の内容が更新されました。ページを再読み込みして、もう一度確認してください。',
  'err.collection.number-invalid': 'マイナンバーが正しくありません。',
  'err.collection.image-type': '写真は JPEG・PNG・HEIC の画像にしてください。',
  'err.collection.image-too-large': '写真が大きすぎます。',
  'err.collection.image-too-many-pixels': '写真の画素数が大きすぎます。',
  'err.collection.image-unreadable': '写真を読み取れませんでした。撮り直してください。',
  'err.collection.photo-missing': '必要な写真が足りません。',
  'err.collection.identity-documents': '本人確認書類の組み合わせが足りません（顔写真付き1点、またはそれ以外2点）。',
  'err.collection.number-repeated': '同じマイナンバーが2回入力されています。',
  'err.generic': '送信できませんでした。時間をおいてもう一度お試しください。',
  'c.closedTitle': 'このリンクは使えません',
};

const en = {
  'c.title': 'Hand in your My Number',
  'c.lang': '日本語',
  'c.loading': 'Loading…',
  'c.greeting': 'Dear {name}',
  'c.intro': '{company} asks you to hand in your My Number (individual number). This page is yours alone and can be submitted once.',
  'c.expires': 'Valid until {at}',
  'c.returned': 'Your last submission was sent back by the payroll office (reason: {reason}). Please submit again.',
  'c.step1': '1. Purposes and handling',
  'c.purposes': 'What your number is used for',
  'c.dependentPurposes': "What your family members' (dependents') numbers are used for",
  'c.handling': 'How it is handled',
  'c.ack': 'I have read the purposes and how my number is handled',
  'c.next': 'Next',
  'c.step2': '2. Your My Number',
  'c.provide': 'Hand in my number',
  'c.notProvide': 'I will not provide it',
  'c.number': 'My Number (12 digits)',
  'c.numberHint': '12 digits; spaces and hyphens are fine.',
  'c.reason': 'Reason',
  'c.step3': '3. Photos of your documents',
  'c.docsExplain': 'Photos of documents are needed to check the number and who you are.',
  'c.numberDoc': 'Document showing the number',
  'c.idDocs': 'Documents proving who you are (one with a photo, or two without)',
  'c.photo': '{doc} ({side})',
  'c.front': 'front',
  'c.back': 'back',
  'c.photoHint': 'Take a photo or choose one (JPEG, PNG or HEIC, up to {mb} MB). Location and other metadata are removed when it is stored.',
  'c.photoTooLarge': 'This photo is too large (up to {mb} MB).',
  'c.step4': '4. Family members (dependents)',
  'c.depExplain': "You may also hand in your dependents' numbers for the dependents declaration. You check their identity yourself (no photos needed).",
  'c.addDep': 'Add a family member',
  'c.removeDep': 'Remove this family member',
  'c.depName': 'Name',
  'c.depKana': 'Name (kana)',
  'c.relationship': 'Relationship',
  'c.depDoc': 'Document you checked',
  'c.submit': 'Submit',
  'c.submitting': 'Sending… (processing the photos takes a moment)',
  'c.done': 'Thank you. The payroll office will check your submission. You may close this page.',
  'c.fix': 'Please check: {what}',
  'mn.notString': 'Enter digits', 'mn.tooLong': 'Too long', 'mn.empty': 'Empty', 'mn.notDigits': 'Contains characters other than digits',
  'mn.length': 'Not 12 digits ({count})', 'mn.checkDigit': 'The check digit does not match; check the number', 'mn.ok': 'Looks right',
  'reason.declined': 'I do not wish to provide it', 'reason.not-issued': 'I have no number yet / do not know it', 'reason.lives-abroad': 'I live abroad', 'reason.other': 'Other',
  'rel.spouse': 'Spouse', 'rel.child': 'Child', 'rel.parent': 'Parent', 'rel.other': 'Other',
  'ret.image-unreadable': 'photo unreadable', 'ret.number-mismatch': 'number does not match the document', 'ret.documents-insufficient': 'documents missing', 'ret.other': 'other',
  'err.collection.link-unknown': 'This link is not valid. Check that it was copied in full.',
  'err.collection.link-used': 'This link was already used. Tell the payroll office if something is wrong.',
  'err.collection.link-expired': 'This link has expired. Ask the payroll office for a new one.',
  'err.collection.link-cancelled': 'This link was cancelled. Ask the payroll office.',
  'err.collection.rate-limited-link': 'Too many attempts. Wait a while and try again.',
  'err.collection.rate-limited-address': 'Too many attempts. Wait a while and try again.',
  'err.collection.notice-changed': 'The notice changed. Reload the page and read it again.',
  'err.collection.number-invalid': 'The My Number is not valid.',
  'err.collection.image-type': 'Photos must be JPEG, PNG or HEIC images.',
  'err.collection.image-too-large': 'A photo is too large.',
  'err.collection.image-too-many-pixels': 'A photo has too many pixels.',
  'err.collection.image-unreadable': 'A photo could not be read. Take it again.',
  'err.collection.photo-missing': 'A photo is missing.',
  'err.collection.identity-documents': 'Not enough identity documents (one with a photo, or two without).',
  'err.collection.number-repeated': 'The same number was entered twice.',
  'err.generic': 'Could not send. Try again later.',
  'c.closedTitle': 'This link cannot be used',
};

let lang = 'ja';
const listeners = [];

export function getLang() {
  return lang;
}

export function setLang(value) {
  lang = value === 'en' ? 'en' : 'ja';
  for (const fn of listeners) fn(lang);
}

export function onLangChange(fn) {
  listeners.push(fn);
}

export function tr(key, params = {}) {
  const text = (lang === 'en' ? en : ja)[key] ?? ja[key] ?? key;
  return text.replace(/\{(\w+)\}/g, (_, name) => (params[name] === undefined ? '' : String(params[name])));
}

export function has(key) {
  return key in ja;
}
