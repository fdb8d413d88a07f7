/*
 * Common English short forms of given names. Deliberately small and uncontroversial: a nickname only ever
 * strengthens a match that the date of birth and phone already support, so a missing pair costs a coordinator
 * a review, not a missed safety flag. A name may sit in several groups (AL: Albert, Alexander); two names are
 * equivalent when they share a group, which keeps Albert and Alexander apart.
 */
const NICKNAME_GROUPS: readonly (readonly string[])[] = [
  ['ROBERT', 'BOB', 'BOBBY', 'ROB', 'ROBBIE', 'BERT'],
  ['ROBERTA', 'BOBBIE', 'ROBBIE'],
  ['WILLIAM', 'BILL', 'BILLY', 'WILL', 'WILLIE', 'LIAM'],
  ['JOHN', 'JON', 'JOHNNY', 'JACK'],
  ['JONATHAN', 'JONATHON', 'JON', 'JONNY'],
  ['JAMES', 'JIM', 'JIMMY', 'JAMIE'],
  ['MICHAEL', 'MIKE', 'MIKEY', 'MICKEY', 'MICK'],
  ['ELIZABETH', 'LIZ', 'LIZZIE', 'BETH', 'BETTY', 'ELIZA', 'LIBBY', 'BETSY'],
  ['MARGARET', 'MAGGIE', 'PEGGY', 'MEG', 'MARGE', 'GRETA'],
  ['KATHERINE', 'CATHERINE', 'KATHRYN', 'KATE', 'KATIE', 'CATHY', 'KATHY', 'KAT'],
  ['RICHARD', 'RICK', 'RICKY', 'DICK', 'RICH', 'RICHIE'],
  ['ANTHONY', 'TONY'],
  ['CHRISTOPHER', 'CHRIS', 'KIT'],
  ['CHRISTINA', 'CHRISTINE', 'CHRIS', 'TINA', 'CHRISSY'],
  ['ALEXANDER', 'ALEX', 'AL', 'XANDER'],
  ['ALEXANDRA', 'ALEX', 'LEXI', 'SASHA'],
  ['ALBERT', 'AL', 'BERT'],
  ['HERBERT', 'HERB', 'BERT'],
  ['SAMUEL', 'SAM', 'SAMMY'],
  ['SAMANTHA', 'SAM', 'SAMMY'],
  ['DAVID', 'DAVE', 'DAVEY'],
  ['STEVEN', 'STEPHEN', 'STEVE', 'STEVIE'],
  ['THOMAS', 'TOM', 'TOMMY'],
  ['JOSEPH', 'JOE', 'JOEY'],
  ['DANIEL', 'DAN', 'DANNY'],
  ['MATTHEW', 'MATT'],
  ['NICHOLAS', 'NICK', 'NICKY'],
  ['PATRICK', 'PAT', 'PADDY'],
  ['PATRICIA', 'PAT', 'PATTY', 'TRISH', 'TRICIA'],
  ['JENNIFER', 'JEN', 'JENNY'],
  ['JESSICA', 'JESS', 'JESSIE'],
  ['REBECCA', 'BECKY', 'BECCA'],
  ['ANDREW', 'ANDY', 'DREW'],
  ['BENJAMIN', 'BEN', 'BENNY'],
  ['EDWARD', 'ED', 'EDDIE', 'TED', 'NED'],
  ['THEODORE', 'TED', 'TEDDY', 'THEO'],
  ['GREGORY', 'GREG'],
  ['LAWRENCE', 'LAURENCE', 'LARRY'],
  ['GERALD', 'JERRY', 'GERRY'],
  ['CHARLES', 'CHARLIE', 'CHUCK'],
  ['HENRY', 'HANK', 'HARRY'],
  ['HAROLD', 'HARRY', 'HAL'],
  ['SUSAN', 'SUE', 'SUSIE', 'SUZY'],
  ['DEBORAH', 'DEBRA', 'DEB', 'DEBBIE'],
  ['VICTORIA', 'VICKY', 'TORI'],
  ['ABIGAIL', 'ABBY'],
  ['JACQUELINE', 'JACKIE'],
  ['ANNE', 'ANN', 'ANNIE', 'ANNA'],
  ['JEFFREY', 'GEOFFREY', 'JEFF', 'GEOFF'],
  ['TIMOTHY', 'TIM', 'TIMMY'],
  ['KENNETH', 'KEN', 'KENNY'],
  ['RONALD', 'RON', 'RONNIE'],
  ['DONALD', 'DON', 'DONNIE'],
  ['RAYMOND', 'RAY'],
  ['PETER', 'PETE'],
  ['PHILIP', 'PHILLIP', 'PHIL'],
  ['ZACHARY', 'ZACH', 'ZACK'],
  ['JOSHUA', 'JOSH'],
  ['NATHANIEL', 'NATHAN', 'NATE'],
  ['FRANCIS', 'FRANK', 'FRANKIE'],
  ['FREDERICK', 'FRED', 'FREDDIE'],
  ['LEONARD', 'LEN', 'LENNY', 'LEO'],
  ['DOUGLAS', 'DOUG'],
  ['VINCENT', 'VINCE', 'VINNY'],
  ['WALTER', 'WALT'],
  ['SARAH', 'SARA', 'SALLY'],
  ['MARY', 'MOLLY', 'POLLY'],
  ['JUDITH', 'JUDY'],
  ['CYNTHIA', 'CINDY'],
  ['PAMELA', 'PAM'],
  ['TERESA', 'THERESA', 'TERRY', 'TESS'],
  ['KIMBERLY', 'KIMBERLEY', 'KIM'],
  ['DOROTHY', 'DOT', 'DOTTIE'],
  ['ELEANOR', 'ELLIE', 'NELL'],
];

const GROUPS_BY_NAME: ReadonlyMap<string, ReadonlySet<number>> = (() => {
  const map = new Map<string, Set<number>>();
  NICKNAME_GROUPS.forEach((group, index) => {
    for (const name of group) {
      const groups = map.get(name) ?? new Set<number>();
      groups.add(index);
      map.set(name, groups);
    }
  });
  return map;
})();

/** Both names upper-case letters only. */
export function areNicknameEquivalent(a: string, b: string): boolean {
  if (a === b) return false;
  const left = GROUPS_BY_NAME.get(a);
  const right = GROUPS_BY_NAME.get(b);
  if (!left || !right) return false;
  for (const group of left) if (right.has(group)) return true;
  return false;
}
