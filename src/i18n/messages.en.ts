/**
 * English messages. Placeholders are `{name}`. Every user-facing sentence lives here, so
 * that a language is added by writing one more file of the same shape.
 */
export const en = {
  'menu.prompt': 'What would you like to do?',
  'menu.greeting':
    'Hi! I can reset your Active Directory password or unlock your account after a quick check by SMS.',
  'menu.reset': 'Reset my password',
  'menu.unlock': 'Unlock my account',
  'menu.secondaryEmail': 'Secondary e-mail',
  'menu.help': 'Help',
  'menu.unknown': 'Sorry, I did not understand that. Pick one of the options below.',

  'help.text':
    'I reset your Active Directory password or unlock your account. First I check that it is really you with a one-time code sent to your phone (or to your verified secondary e-mail). Type "cancel" at any time to stop, "menu" to start over, or "help" to see this again.',
  'common.cancelled': 'Stopped. Nothing was changed. Type "menu" whenever you need me again.',
  'common.nothingToCancel': 'There is nothing to stop right now. Type "menu" to see what I can do.',
  'common.expired': 'Your previous conversation timed out, so I started over. Nothing was changed.',
  'common.emptyInput': 'I got an empty message. Type a reply or pick an option.',
  'common.tooLong':
    'That message is {length} characters long, more than the {max} I accept. Send a shorter reply.',
  'common.directOnly':
    'For your security I only handle password resets in a direct message. Open a direct chat with me and say "hi".',
  'common.done': 'Anything else? Type "menu" to see the options.',
  'common.back': 'Back to menu',
  'common.cancel': 'Cancel',
  'common.stale': 'That button or form belongs to an earlier message. Use the newest one.',
  'common.busy': 'I am still working on your previous message. Please wait a moment.',

  'account.notAvailable':
    'Self-service is not available for this chat account. Contact the IT helpdesk, who can help you directly.',

  'verify.noPhone':
    'I cannot send you a code: no usable mobile number is on file for you. Contact the IT helpdesk to have it added.',
  'verify.askPhone':
    'To check it is you, I will text a code to your mobile number ending in {last4}. Type the full number to confirm it (any format, for example 0532 123 45 67).',
  'verify.confirmPhone': 'I will text a code to your mobile number ending in {last4}.',
  'verify.sendCode': 'Send the code',
  'verify.phoneInvalid':
    'That is not a phone number I can read: {reason}. Type the full mobile number, digits only or with spaces.',
  'verify.tooManyMismatches':
    'Too many wrong numbers or addresses were typed for this account in the last hour, so I cannot send a code now. Try again in an hour, or contact the IT helpdesk.',
  'verify.phoneMismatch':
    'That number does not match what is on file, so no code was sent. Check it and type it again, or contact the IT helpdesk.',
  'verify.codeSentSms':
    'I sent a {length}-digit code by SMS to the number ending in {last4}. Type it here. It expires in {minutes} minutes.',
  'verify.codeSentEmail':
    'I sent a {length}-digit code to {address}. Type it here. It expires in {minutes} minutes.',
  'verify.askCode': 'Type the {length}-digit code.',
  'verify.codeField': 'Verification code',
  'verify.codeFormat': 'That is not a valid code: {problem}. Type just the {length} digits.',
  'code.problem.empty': 'it is empty',
  'code.problem.notDigits': 'it has characters other than digits',
  'code.problem.length': 'its length is {digits} instead of {length} digits',
  'verify.codeWrong': 'That code is not right. Attempts left: {remaining}.',
  'verify.codeVoidedNow':
    'That code was entered wrongly too often, so it is no longer valid. Pick "Send a new code" to get another one.',
  'verify.codeVoid':
    'That code is no longer valid: it was entered wrongly too often, has expired or was already used. Pick "Send a new code" to get another one.',
  'verify.codeExpired': 'That code has expired. Pick "Send a new code" to get another one.',
  'verify.resend': 'Send a new code',
  'verify.cooldown': 'You can ask for a new code in {seconds} seconds.',
  'verify.success': 'Thanks, you are verified.',
  'verify.chooseMethod': 'How would you like to receive your code?',
  'verify.methodSms': 'SMS to my phone ending in {last4}',
  'verify.methodEmail': 'E-mail to {address}',

  'reset.ask':
    'Choose a new password. It needs at least {minLength} characters{complexity}. Enter it twice in the secure form.',
  'reset.complexityRule': ' and three of: upper-case letters, lower-case letters, digits, symbols',
  'reset.formTitle': 'New password',
  'reset.fieldPassword': 'New password',
  'reset.fieldConfirm': 'Confirm new password',
  'reset.submit': 'Set password',
  'reset.openForm': 'Enter new password',
  'reset.mismatch': 'The two passwords do not match. Enter them again.',
  'reset.missing': 'The form arrived without a password. Enter the new password in both fields.',
  'reset.typedInChat':
    'Please never type a password into the chat. Delete that message if you can, and do not use that password. Enter the new password in the secure form instead.',
  'reset.leaked':
    'That password was typed into the chat, so it may be seen by others. Choose a different one.',
  'reset.success': 'Done: your password has been changed. Use it to sign in from now on.',
  'reset.successUnlocked': 'Done: your password has been changed and your account is unlocked.',
  'reset.mustChange': 'You will be asked to choose a new password when you next sign in.',

  'policy.tooShort': 'The password is too short: it needs at least {minLength} characters.',
  'policy.tooLong': 'The password is too long: it may have at most {maxLength} characters.',
  'policy.complexity':
    'The password needs characters from at least three of these groups: upper-case letters, lower-case letters, digits, symbols.',
  'policy.containsName':
    'The password must not contain your account name or parts of your full name.',
  'policy.controlCharacters':
    'The password contains control characters such as line breaks. Use printable characters only.',

  'unlock.notLocked':
    'Good news: your account is not locked. If you still cannot sign in, your password may be wrong: pick "Reset my password".',
  'unlock.success': 'Done: your account is unlocked. You can sign in again now.',
  'unlock.lockInfo': 'Your account was locked at {time} after too many wrong passwords.',

  'email.menu': 'Your secondary e-mail lets you receive codes by e-mail instead of SMS.',
  'email.current':
    'Your secondary e-mail is {address} (verified {date}). Codes go by {method} by default.',
  'email.none': 'You have no secondary e-mail yet.',
  'email.register': 'Add an address',
  'email.change': 'Change the address',
  'email.remove': 'Remove the address',
  'email.preferSms': 'Send codes by SMS',
  'email.preferEmail': 'Send codes by e-mail',
  'email.needsSms': 'To change your secondary e-mail I first check by SMS that it is you.',
  'email.ask': 'Type the e-mail address you want to add, usually a personal one.',
  'email.invalid':
    'That is not a valid e-mail address: {reason}. Type the full address, like name@example.org.',
  'email.tooLong':
    'That address is {length} characters long; the limit is {max}. Type a shorter address.',
  'email.corporate':
    '{address} is a work address. Add an address outside your organisation, such as a personal one.',
  'email.domainBlocked':
    'Addresses at {domain} are not accepted here. Use an address at another domain.',
  'email.domainNotAllowed':
    'Only addresses at {domains} are accepted. Type an address at one of those domains.',
  'email.codeSent':
    'I sent a code to {address}. Type it here to confirm the address. It expires in {minutes} minutes.',
  'email.registered': 'Done: {address} is now your secondary e-mail.',
  'email.removed': 'Done: your secondary e-mail was removed. Codes will go by SMS.',
  'email.preferenceSaved': 'Done: codes now go by {method} by default.',
  'email.askFull': 'I will send a code to {masked}. Type that address in full to confirm it.',
  'email.mismatch':
    'That address does not match the one on file, so no code was sent. Check it and type it again, or type "menu" to start over and pick SMS.',
  'verify.mismatchFinal':
    'That did not match what is on file either, so I stopped after three tries. Nothing was changed. If your number or address changed, contact the IT helpdesk.',
  'email.coolingOff':
    'Your secondary e-mail was added recently, so it can be used for resets from {time}. Use SMS until then.',
  'email.methodSms': 'SMS',
  'email.methodEmail': 'e-mail',

  'notice.subject': 'Your secondary e-mail for password reset was {action}',
  'notice.body':
    'Your secondary e-mail for self-service password reset was {action} on {time} (UTC). Address: {address}. If this was not you, contact the IT helpdesk at once.',
  'notice.sms':
    'Your password-reset e-mail was {action} on {time} (UTC). Not you? Contact the IT helpdesk now.',
  'notice.registered': 'registered',
  'notice.changed': 'changed',
  'notice.removed': 'removed',
  'mail.codeSubject': 'Your verification code',
  'mail.codeBody':
    'Your verification code is {code}. It expires in {minutes} minutes. If you did not ask for it, ignore this mail and tell the IT helpdesk.',
  'sms.code':
    'Your password self-service code is {code}. It expires in {minutes} minutes. Never share it.',

  'slack.secretHint':
    'Slack cannot hide what you type in these fields, so make sure nobody can see your screen. The values go only to this bot and are never posted in the chat.',
  'slack.picked': 'You picked: {label}',
  'slack.submitted': 'Form submitted.',
  'slack.openedDm': 'I sent you a direct message. Let us continue there.',
  'slack.homeTitle': 'Password self-service',
  'slack.homeHint': 'Replies arrive in the Messages tab of this app.',

  'error.directoryUnavailable':
    'I cannot reach the directory right now, so nothing was changed. Please try again in a few minutes.',
  'error.directoryFailed':
    'The directory could not complete that, so nothing was changed. Please contact the IT helpdesk.',
  'error.passwordPolicy':
    'The directory rejected that password under its password policy. Choose a longer password that you have not used before and that does not contain your name.',
  'error.passwordMinAge':
    'Your password was changed too recently: the directory allows a new change from {time} (UTC). Try again then, or contact the IT helpdesk.',
  'error.passwordHistory':
    'The directory rejected that password because you used it before. Choose a password you have not used recently.',
  'error.passwordRejected':
    'The directory rejected that password although it meets the rules I check. Either you used it before (the directory remembers your last {history}), or a stricter policy applies to your account. Choose a longer password you have not used before, or ask the IT helpdesk what your account requires.',
  'error.notAllowed':
    'I am not allowed to change this account. Nothing was changed. Please contact the IT helpdesk.',
  'error.resetPartial':
    'Your new password is set, but I could not mark it to be changed at your next sign-in. Sign in with the new password, and tell the IT helpdesk.',
  'error.resetNotConfirmed':
    'I could not confirm that your new password took effect. Try signing in with it; if that fails, contact the IT helpdesk.',
  'error.unlockNotConfirmed':
    'I could not confirm that your account is unlocked. Try signing in; if that fails, contact the IT helpdesk.',
  'error.serviceUnavailable':
    'A service I depend on is unavailable right now, so nothing was changed. Please try again in a few minutes.',
  'error.stateLockLost':
    'That took longer than expected and I lost track of where we were. Check whether your change took effect before you try again.',
  'error.stateInvalid':
    'I lost track of our conversation, so nothing was done with your last message. Type "menu" to start over.',
  'error.smsInvalidNumber':
    'The mobile number on file is not a valid number, so no SMS was sent. Contact the IT helpdesk to have it corrected.',
  'error.smsNotMobile':
    'The number on file cannot receive text messages, so no SMS was sent. Contact the IT helpdesk to have a mobile number added.',
  'error.smsRegion':
    'Text messages cannot be sent to that country from here, so no SMS was sent. Contact the IT helpdesk.',
  'error.smsRateLimited':
    'The SMS service is busy, so no SMS was sent. Please try again in a minute.',
  'error.smsFailed': 'The SMS could not be sent. Please try again in a few minutes.',
  'error.mailFailed': 'The e-mail could not be sent. Please try again in a few minutes.',
  'error.sendLimit':
    'Too many codes were sent in the last hour. Please wait an hour and try again, or contact the IT helpdesk.',
  'error.cooldown': 'A code was just sent. You can ask for a new one in {seconds} seconds.',
  'phone.problem.empty': 'it is empty',
  'phone.problem.too-long': 'it is too long for a phone number',
  'phone.problem.letters': 'it has characters other than digits, spaces, +, - and brackets',
  'phone.problem.extension': 'it has an extension',
  'phone.problem.too-short': 'it has too few digits',
  'phone.problem.not-a-number': 'it has no phone number in it',
  'phone.problem.invalid-country': 'the country code is not known',
  'phone.problem.invalid': 'it is not a valid number for its country',
  'email.problem.empty': 'it is empty',
  'email.problem.no-at': 'it needs one @ with a name before it and a domain after it',
  'email.problem.spaces': 'it has spaces in it',
  'email.problem.bad-domain': 'the part after @ is not an internet domain',
  'email.problem.syntax': 'it has characters that addresses cannot have',
  'email.problem.local-too-long': 'the part before @ is longer than 64 characters',
  'mail.footer':
    'This message was sent by the self-service password reset bot of your organisation. It never asks for your password.',
  'error.internal': 'Something went wrong on my side, so nothing was changed. Please try again.',
  'teams.tenantRefused':
    'This bot is not available to your organisation. Contact your IT helpdesk if you need a password reset.',
  'teams.identityUnavailable':
    'I could not look up your Teams account, so nothing was changed. Please try again in a few minutes.',
  'teams.submitUnreadable':
    'I could not read that card submission: {problem}. Use the newest message, or type "menu" to start over.',
  'teams.stillWorking': 'Still working on it. I will post the result here in a moment.',
  'teams.cardChosen': 'You picked: {label}',
  'teams.cardSubmitted': '{title}: submitted.',
} as const;

export type MessageKey = keyof typeof en;
export type Catalog = Record<MessageKey, string>;
