/**
 * Passwords that appear at the top of leaked-password lists, with the favourites of Chinese users
 * (from the published CSDN, 163, Tianya and 12306 leak analyses) first. Compared in lower case.
 * Entries shorter than 8 characters or made only of digits are listed too, so the list stays
 * meaningful on its own if the length and digit rules are ever relaxed.
 */
// prettier-ignore
export const COMMON_PASSWORDS: readonly string[] = [
  // digits and keyboard runs
  '123456', '1234567', '12345678', '123456789', '1234567890', '0123456789', '987654321', '9876543210',
  '111111', '11111111', '111111111', '000000', '00000000', '000000000', '888888', '88888888',
  '666666', '66666666', '999999', '99999999', '123123', '12341234', '123123123', '112233',
  '11223344', '121212', '12121212', '147258369', '147258', '159753', '1314520', '5201314',
  '52013140', '520520520', '1314521', '201314', '123654789', '12344321', '7758521', '5211314',
  '110110', '110120119', '789456123', '741852963', '963852741', '123456a', '123456abc', 'a12345',
  // letters + digits, the classic Chinese-user forms
  'a123456', 'a1234567', 'a12345678', 'a123456789', 'aa123456', 'aa12345678', 'abc123', 'abc12345',
  'abc123456', 'abcd1234', 'abcd123456', 'abc123456789', 'qq123456', 'qq12345678', 'qq5201314',
  'wang123456', 'zhang123', 'li123456', 'chen123456', 'liu123456', 'woaini', 'woaini1314', 'woaini520',
  'woaini123', 'woaini521', 'woaiwojia', 'wodemima', 'mima123456', 'iloveyou', 'iloveyou1314',
  'iloveyou520', 'love1314', 'love123456', 'lovelove', 'asd123456', 'asdf1234', 'asdfghjkl',
  'asdasdasd', 'qwe123456', 'qwe123', 'qwer1234', 'qweasd123', 'qweqweqwe', 'qweasdzxc', 'zxc123456',
  'zxcvbnm', 'zxcvbnm123', '1q2w3e4r', '1q2w3e4r5t', '1qaz2wsx', '1qaz2wsx3edc', 'qazwsx123',
  'qazwsxedc', 'q1w2e3r4', 'q1w2e3r4t5', 'z123456', 'z12345678', 'w123456', 'x123456', 'aini1314',
  'a5201314', 'caonima', 'nihao123', 'shanghai', 'beijing', 'beijing2008', 'zhongguo', 'china123',
  'xiaoming', 'tiantian', 'dingding', 'huang123', 'baobao', 'baobei520', 'taobao123', 'alipay123',
  'weixin123', 'wechat123', 'baidu123', 'admin888', 'admin123', 'admin123456', 'root1234', 'test1234',
  'test123456', 'guest1234', '123qwe', '123qweasd', '123abc', '123456qq', '123456aa', '123456asd',
  '123456qwe', '12345qwert', '123456789a', '1234qwer', '5201314a', '88888888a', 'abcdefg',
  'abcdefgh', 'abcdefg123',
  // the worldwide top of the lists
  'password', 'password1', 'password12', 'password123', 'passw0rd', 'p@ssw0rd', 'p@ssword', 'pass1234',
  'qwerty', 'qwerty123', 'qwertyui', 'qwertyuiop', 'qwerty12', 'azerty123', 'letmein', 'letmein1',
  'welcome', 'welcome1', 'welcome123', 'monkey123', 'dragon123', 'football', 'baseball', 'superman',
  'batman123', 'sunshine', 'princess', 'trustno1', 'whatever', 'starwars', 'computer', 'michael1',
  'jennifer', 'charlie1', 'shadow123', 'master123', 'freedom1', 'liverpool', 'chelsea1', 'changeme',
  'secret123', 'killer123', 'hello123', 'hello1234', 'helloworld', 'iloveu123', 'loveme123',
  'football1', 'baseball1', 'michelle', 'jordan23', 'mustang1', 'access14', 'flower123', 'google123',
  'samsung123', 'iphone123', 'apple123', 'internet', 'zaq12wsx', 'aa123456789', 'mypassword',
  'superman1', 'qwerty1234', 'monkey12', 'dragon12',
];
