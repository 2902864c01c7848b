/**
 * The demo province's agency registry and procedure (TTHC) catalogue.
 *
 * Eighteen sở/ban/ngành before 01/3/2025, three chi cục, and the NĐ 45/2025/NĐ-CP mergers of 01/3/2025
 * (docs/domain.md §6): old units end on 2025-02-28 with a successor, merged units start on 2025-03-01 with
 * new codes. Procedures keep the code of the unit that owned them when the catalogue was made; a
 * dossier is attributed to `holderOf(procedure agency, date)` (the successor chain), see
 * docs/data-contracts.md "Merger attribution".
 */
import type { Agency, Procedure } from '../core/schemas/index.js';
import { dayOf } from './calendar.js';
import { AGENCY_HEADER, BOM, PROCEDURE_HEADER, csvLine } from './csv.js';
import { rngFor, type Rng } from './prng.js';

export const PROVINCE_CODE = 'H99';
export const PROVINCE_NAME = 'tỉnh Sông Xanh';
/** First day the registry covers (not the founding date of the units). */
export const REGISTRY_START = '2019-01-01';
export const MERGER_DATE = '2025-03-01';
export const MERGER_LAST_DAY = '2025-02-28';

export type Band = 'Sở, ban, ngành' | 'Chi cục';
export const BANDS: readonly Band[] = ['Sở, ban, ngành', 'Chi cục'];

interface ObjectDef {
  /** Procedure object ("Giấy phép …"); with `actions`, prefixed by Cấp / Cấp lại / …; else the full name. */
  name: string;
  days: number;
  fee?: boolean;
  pop?: number;
  actions?: boolean;
  nsw?: boolean;
}
interface FieldDef {
  field: string;
  objects: ObjectDef[];
}
interface AgencyDef {
  code: string;
  name: string;
  short: string;
  kind: Agency['kind'];
  parent: string | null;
  validFrom?: string;
  validTo?: string;
  successor?: string;
  /** Relative dossier volume of its procedures. */
  weight: number;
  /** Relative chance of late processing. */
  lateFactor: number;
  fields: FieldDef[];
}

const A = (name: string, days: number, extra: Partial<ObjectDef> = {}): ObjectDef => ({ name, days, actions: true, ...extra });
const S = (name: string, days: number, extra: Partial<ObjectDef> = {}): ObjectDef => ({ name, days, actions: false, ...extra });

const OLD_END = { validTo: MERGER_LAST_DAY };

const AGENCY_DEFS: AgencyDef[] = [
  {
    code: 'H99.01', name: 'Văn phòng UBND tỉnh', short: 'VP UBND tỉnh', kind: 'van_phong', parent: PROVINCE_CODE, weight: 0.5, lateFactor: 0.6,
    fields: [
      { field: 'Thẻ đi lại của doanh nhân APEC', objects: [S('Cho phép sử dụng thẻ đi lại của doanh nhân APEC (ABTC)', 10, { pop: 1.5 }), S('Cho phép sử dụng lại thẻ ABTC do bị mất, hỏng', 7)] },
      { field: 'Hợp tác quốc tế', objects: [S('Cho phép tổ chức hội nghị, hội thảo quốc tế', 15), S('Cho phép đoàn cán bộ đi công tác nước ngoài', 7)] },
    ],
  },
  {
    code: 'H99.02', name: 'Sở Kế hoạch và Đầu tư', short: 'Sở KH&ĐT', kind: 'so', parent: PROVINCE_CODE, ...OLD_END, successor: 'H99.22', weight: 3.2, lateFactor: 0.7,
    fields: [
      { field: 'Thành lập và hoạt động của doanh nghiệp', objects: [
        A('Giấy chứng nhận đăng ký doanh nghiệp đối với công ty trách nhiệm hữu hạn một thành viên', 3, { pop: 3 }),
        A('Giấy chứng nhận đăng ký doanh nghiệp đối với công ty cổ phần', 3, { pop: 2 }),
        A('Giấy chứng nhận đăng ký doanh nghiệp đối với doanh nghiệp tư nhân', 3),
        A('Giấy chứng nhận đăng ký hoạt động chi nhánh, văn phòng đại diện', 3, { pop: 1.5 }),
        S('Thông báo tạm ngừng kinh doanh', 3, { pop: 1.2 }),
        S('Giải thể doanh nghiệp', 5),
      ] },
      { field: 'Đầu tư tại Việt Nam', objects: [A('Giấy chứng nhận đăng ký đầu tư', 15, { pop: 0.4 }), S('Chấp thuận chủ trương đầu tư của UBND tỉnh', 35, { pop: 0.2 })] },
      { field: 'Thành lập và hoạt động của hợp tác xã', objects: [A('Giấy chứng nhận đăng ký liên hiệp hợp tác xã', 5, { pop: 0.3 })] },
    ],
  },
  {
    code: 'H99.03', name: 'Sở Tài chính', short: 'Sở Tài chính', kind: 'so', parent: PROVINCE_CODE, ...OLD_END, successor: 'H99.22', weight: 0.5, lateFactor: 1,
    fields: [
      { field: 'Quản lý giá', objects: [S('Đăng ký giá của các doanh nghiệp thuộc phạm vi cấp tỉnh', 5), S('Kê khai giá của các doanh nghiệp thuộc phạm vi cấp tỉnh', 3)] },
      { field: 'Quản lý công sản', objects: [S('Quyết định mua sắm tài sản công phục vụ hoạt động của cơ quan, tổ chức', 30), S('Quyết định thanh lý tài sản công', 30), S('Quyết định điều chuyển tài sản công', 30)] },
      { field: 'Tin học - Thống kê', objects: [A('Mã số đơn vị có quan hệ với ngân sách', 2, { fee: false, pop: 1.5 })] },
    ],
  },
  {
    code: 'H99.04', name: 'Sở Công Thương', short: 'Sở Công Thương', kind: 'so', parent: PROVINCE_CODE, weight: 1.4, lateFactor: 0.8,
    fields: [
      { field: 'Lưu thông hàng hóa trong nước', objects: [
        A('Giấy phép bán buôn sản phẩm rượu', 15), A('Giấy phép bán buôn sản phẩm thuốc lá', 15),
        A('Giấy chứng nhận cửa hàng đủ điều kiện bán lẻ xăng dầu', 15, { pop: 1.3 }), A('Giấy chứng nhận đủ điều kiện thương nhân phân phối khí', 15),
      ] },
      { field: 'An toàn thực phẩm', objects: [A('Giấy chứng nhận cơ sở đủ điều kiện an toàn thực phẩm thuộc ngành Công Thương', 20, { pop: 1.2 })] },
      { field: 'Hóa chất', objects: [A('Giấy chứng nhận đủ điều kiện sản xuất, kinh doanh hóa chất', 12)] },
      { field: 'Điện', objects: [A('Giấy phép hoạt động điện lực', 10)] },
      { field: 'Xuất nhập khẩu', objects: [
        S('Cấp Giấy chứng nhận xuất xứ hàng hóa ưu đãi (C/O) qua Cơ chế một cửa quốc gia', 1, { nsw: true, pop: 3, fee: true }),
        S('Cấp Giấy phép nhập khẩu tiền chất công nghiệp qua Cơ chế một cửa quốc gia', 7, { nsw: true, pop: 0.8, fee: true }),
      ] },
    ],
  },
  {
    code: 'H99.05', name: 'Sở Giao thông vận tải', short: 'Sở GTVT', kind: 'so', parent: PROVINCE_CODE, ...OLD_END, successor: 'H99.23', weight: 4.2, lateFactor: 1.3,
    fields: [
      { field: 'Đường bộ', objects: [
        S('Đổi Giấy phép lái xe do ngành Giao thông vận tải cấp', 5, { pop: 6, fee: true }),
        S('Cấp lại Giấy phép lái xe', 10, { pop: 1.5, fee: true }),
        S('Đổi Giấy phép lái xe quân sự do Bộ Quốc phòng cấp', 5, { pop: 0.3 }),
        A('Giấy phép kinh doanh vận tải bằng xe ô tô', 5, { pop: 1.2 }),
        A('Phù hiệu xe ô tô kinh doanh vận tải', 2, { pop: 2.5 }),
        A('Giấy phép lưu hành xe quá tải trọng, xe quá khổ giới hạn trên đường bộ', 2, { pop: 0.8 }),
        S('Chấp thuận thiết kế kỹ thuật và phương án tổ chức thi công nút giao đấu nối vào quốc lộ', 7),
      ] },
      { field: 'Đường thủy nội địa', objects: [A('Giấy chứng nhận khả năng chuyên môn thuyền trưởng, máy trưởng', 10), S('Đăng ký phương tiện thủy nội địa lần đầu', 3, { pop: 0.5 })] },
    ],
  },
  {
    code: 'H99.06', name: 'Sở Xây dựng', short: 'Sở Xây dựng', kind: 'so', parent: PROVINCE_CODE, ...OLD_END, successor: 'H99.23', weight: 1.2, lateFactor: 1.5,
    fields: [
      { field: 'Hoạt động xây dựng', objects: [
        A('Giấy phép xây dựng đối với công trình cấp I, cấp II', 20, { pop: 1.3 }),
        A('Chứng chỉ hành nghề hoạt động xây dựng hạng II, hạng III', 20, { pop: 1.5 }),
        A('Chứng chỉ năng lực hoạt động xây dựng hạng II, hạng III', 20),
        S('Thẩm định báo cáo nghiên cứu khả thi đầu tư xây dựng', 30, { fee: true }),
      ] },
      { field: 'Nhà ở', objects: [S('Thông báo nhà ở hình thành trong tương lai đủ điều kiện được bán, thuê mua', 15), S('Công nhận chủ đầu tư dự án nhà ở thương mại', 30)] },
    ],
  },
  {
    code: 'H99.07', name: 'Sở Nông nghiệp và Phát triển nông thôn', short: 'Sở NN&PTNT', kind: 'so', parent: PROVINCE_CODE, ...OLD_END, successor: 'H99.24', weight: 0.9, lateFactor: 1.1,
    fields: [
      { field: 'Thú y', objects: [A('Giấy chứng nhận cơ sở an toàn dịch bệnh động vật', 10), A('Chứng chỉ hành nghề thú y', 5)] },
      { field: 'Thủy sản', objects: [A('Giấy phép khai thác thủy sản', 6, { pop: 1.2 }), S('Đăng ký tàu cá', 3)] },
      { field: 'Thủy lợi', objects: [A('Giấy phép hoạt động trong phạm vi bảo vệ công trình thủy lợi', 20)] },
      { field: 'Lâm nghiệp', objects: [S('Phê duyệt phương án trồng rừng thay thế', 20), S('Xác nhận nguồn gốc gỗ trước khi xuất khẩu', 3)] },
    ],
  },
  {
    code: 'H99.08', name: 'Sở Tài nguyên và Môi trường', short: 'Sở TN&MT', kind: 'so', parent: PROVINCE_CODE, ...OLD_END, successor: 'H99.24', weight: 2.6, lateFactor: 1.8,
    fields: [
      { field: 'Đất đai', objects: [
        S('Đăng ký biến động quyền sử dụng đất, quyền sở hữu tài sản gắn liền với đất', 10, { pop: 4, fee: true }),
        S('Cấp Giấy chứng nhận quyền sử dụng đất lần đầu cho tổ chức', 20, { fee: true }),
        S('Đính chính Giấy chứng nhận đã cấp', 10),
        S('Cung cấp dữ liệu đất đai', 2, { fee: true, pop: 1.5 }),
      ] },
      { field: 'Môi trường', objects: [A('Giấy phép môi trường', 30, { pop: 0.6 }), S('Thẩm định báo cáo đánh giá tác động môi trường', 25, { fee: true })] },
      { field: 'Tài nguyên nước', objects: [A('Giấy phép khai thác, sử dụng nước dưới đất', 25), A('Giấy phép xả nước thải vào nguồn nước', 25)] },
      { field: 'Địa chất và khoáng sản', objects: [A('Giấy phép khai thác khoáng sản', 45, { pop: 0.3 })] },
    ],
  },
  {
    code: 'H99.09', name: 'Sở Khoa học và Công nghệ', short: 'Sở KH&CN', kind: 'so', parent: PROVINCE_CODE, ...OLD_END, successor: 'H99.21', weight: 0.4, lateFactor: 0.6,
    fields: [
      { field: 'Hoạt động khoa học và công nghệ', objects: [A('Giấy chứng nhận đăng ký hoạt động khoa học và công nghệ', 10), S('Giao quyền sở hữu kết quả nghiên cứu khoa học sử dụng ngân sách nhà nước', 15)] },
      { field: 'An toàn bức xạ và hạt nhân', objects: [A('Giấy phép tiến hành công việc bức xạ sử dụng thiết bị X-quang chẩn đoán trong y tế', 15), A('Chứng chỉ nhân viên bức xạ', 10)] },
      { field: 'Chuyển giao công nghệ', objects: [A('Giấy chứng nhận đăng ký chuyển giao công nghệ', 10)] },
    ],
  },
  {
    code: 'H99.09.01', name: 'Chi cục Tiêu chuẩn Đo lường Chất lượng', short: 'Chi cục TĐC', kind: 'chi_cuc', parent: 'H99.09', weight: 0.6, lateFactor: 0.5,
    fields: [
      { field: 'Tiêu chuẩn Đo lường Chất lượng', objects: [
        S('Kiểm tra nhà nước về chất lượng hàng hóa nhóm 2 nhập khẩu', 1, { nsw: true, pop: 5, fee: true }),
        S('Kiểm tra nhà nước về đo lường đối với phương tiện đo nhóm 2 nhập khẩu', 1, { nsw: true, pop: 1, fee: true }),
        S('Đăng ký công bố hợp chuẩn dựa trên kết quả chứng nhận', 5),
        S('Đăng ký công bố hợp quy dựa trên kết quả tự đánh giá', 5, { pop: 1.5 }),
        S('Miễn giảm kiểm tra chất lượng hàng hóa nhập khẩu', 3),
      ] },
    ],
  },
  {
    code: 'H99.10', name: 'Sở Thông tin và Truyền thông', short: 'Sở TT&TT', kind: 'so', parent: PROVINCE_CODE, ...OLD_END, successor: 'H99.21', weight: 0.4, lateFactor: 0.5,
    fields: [
      { field: 'Báo chí', objects: [A('Giấy phép xuất bản bản tin', 15)] },
      { field: 'Xuất bản, in và phát hành', objects: [A('Giấy phép hoạt động in', 7), A('Giấy xác nhận đăng ký hoạt động phát hành xuất bản phẩm', 10), S('Cấp giấy phép xuất bản tài liệu không kinh doanh', 10, { pop: 1.5 })] },
      { field: 'Phát thanh, truyền hình và thông tin điện tử', objects: [A('Giấy phép thiết lập trang thông tin điện tử tổng hợp', 10)] },
    ],
  },
  {
    code: 'H99.11', name: 'Sở Lao động - Thương binh và Xã hội', short: 'Sở LĐ-TB&XH', kind: 'so', parent: PROVINCE_CODE, ...OLD_END, successor: 'H99.15', weight: 1.6, lateFactor: 1,
    fields: [
      { field: 'Việc làm', objects: [A('Giấy phép lao động cho người lao động nước ngoài làm việc tại Việt Nam', 5, { pop: 1.2 }), S('Giải quyết hưởng trợ cấp thất nghiệp', 20, { pop: 3, fee: false })] },
      { field: 'Người có công', objects: [S('Giải quyết chế độ ưu đãi đối với người có công với cách mạng', 20, { fee: false }), S('Cấp giấy giới thiệu đi thăm viếng mộ liệt sĩ', 3, { fee: false })] },
      { field: 'Giáo dục nghề nghiệp', objects: [A('Giấy chứng nhận đăng ký hoạt động giáo dục nghề nghiệp', 10)] },
      { field: 'Bảo trợ xã hội', objects: [A('Giấy phép hoạt động cơ sở trợ giúp xã hội', 15)] },
      { field: 'An toàn, vệ sinh lao động', objects: [A('Giấy chứng nhận đủ điều kiện hoạt động huấn luyện an toàn, vệ sinh lao động hạng A', 15)] },
    ],
  },
  {
    code: 'H99.12', name: 'Sở Y tế', short: 'Sở Y tế', kind: 'so', parent: PROVINCE_CODE, weight: 1.5, lateFactor: 1.4,
    fields: [
      { field: 'Dược phẩm', objects: [A('Chứng chỉ hành nghề dược', 20, { pop: 1.5 }), A('Giấy chứng nhận đủ điều kiện kinh doanh dược', 20, { pop: 1.3 })] },
      { field: 'Khám bệnh, chữa bệnh', objects: [A('Giấy phép hành nghề khám bệnh, chữa bệnh', 20, { pop: 1.2 }), A('Giấy phép hoạt động khám bệnh, chữa bệnh', 30)] },
      { field: 'Mỹ phẩm', objects: [S('Tiếp nhận Phiếu công bố sản phẩm mỹ phẩm sản xuất trong nước', 3, { fee: true })] },
      { field: 'Giám định y khoa', objects: [S('Khám giám định mức độ khuyết tật', 30, { fee: false })] },
    ],
  },
  {
    code: 'H99.12.01', name: 'Chi cục An toàn vệ sinh thực phẩm', short: 'Chi cục ATVSTP', kind: 'chi_cuc', parent: 'H99.12', weight: 0.5, lateFactor: 0.9,
    fields: [
      { field: 'An toàn thực phẩm và dinh dưỡng', objects: [
        A('Giấy chứng nhận cơ sở đủ điều kiện an toàn thực phẩm thuộc ngành Y tế', 20, { pop: 2 }),
        S('Đăng ký bản công bố sản phẩm dinh dưỡng y học', 7, { fee: true }),
        S('Cấp giấy xác nhận nội dung quảng cáo thực phẩm', 10, { fee: true }),
      ] },
    ],
  },
  {
    code: 'H99.13', name: 'Sở Giáo dục và Đào tạo', short: 'Sở GD&ĐT', kind: 'so', parent: PROVINCE_CODE, weight: 1, lateFactor: 0.7,
    fields: [
      { field: 'Văn bằng, chứng chỉ', objects: [S('Cấp bản sao văn bằng, chứng chỉ từ sổ gốc', 1, { pop: 4, fee: true }), S('Chỉnh sửa nội dung văn bằng, chứng chỉ', 5), S('Công nhận văn bằng tốt nghiệp các cấp học phổ thông do cơ sở nước ngoài cấp', 20)] },
      { field: 'Giáo dục trung học', objects: [S('Cho phép thành lập trường trung học phổ thông tư thục', 20), S('Chuyển trường đối với học sinh trung học phổ thông', 3, { fee: false, pop: 1.2 })] },
      { field: 'Giáo dục thường xuyên', objects: [A('Giấy chứng nhận đăng ký hoạt động trung tâm ngoại ngữ, tin học', 20)] },
    ],
  },
  {
    code: 'H99.14', name: 'Sở Văn hóa, Thể thao và Du lịch', short: 'Sở VHTT&DL', kind: 'so', parent: PROVINCE_CODE, weight: 0.7, lateFactor: 0.6,
    fields: [
      { field: 'Lữ hành', objects: [A('Thẻ hướng dẫn viên du lịch nội địa', 10, { pop: 1.3 }), A('Giấy phép kinh doanh dịch vụ lữ hành nội địa', 10)] },
      { field: 'Cơ sở lưu trú du lịch', objects: [S('Công nhận hạng cơ sở lưu trú du lịch 1 sao, 2 sao, 3 sao', 30)] },
      { field: 'Nghệ thuật biểu diễn', objects: [S('Chấp thuận tổ chức biểu diễn nghệ thuật trên địa bàn tỉnh', 5, { pop: 1.3 })] },
      { field: 'Thể dục thể thao', objects: [A('Giấy chứng nhận đủ điều kiện kinh doanh hoạt động thể thao', 7)] },
      { field: 'Gia đình', objects: [A('Giấy chứng nhận đăng ký hoạt động cơ sở hỗ trợ nạn nhân bạo lực gia đình', 15)] },
    ],
  },
  {
    code: 'H99.15', name: 'Sở Nội vụ', short: 'Sở Nội vụ', kind: 'so', parent: PROVINCE_CODE, weight: 0.4, lateFactor: 0.8,
    fields: [
      { field: 'Tôn giáo Chính phủ', objects: [S('Chấp thuận tổ chức cuộc lễ ngoài cơ sở tôn giáo', 20, { fee: false }), S('Đăng ký thuyên chuyển chức sắc, chức việc, nhà tu hành', 20, { fee: false })] },
      { field: 'Thi đua, khen thưởng', objects: [S('Tặng Bằng khen của Chủ tịch Ủy ban nhân dân tỉnh', 20, { fee: false, pop: 1.5 })] },
      { field: 'Tổ chức phi chính phủ', objects: [S('Công nhận ban vận động thành lập hội', 30, { fee: false }), S('Phê duyệt điều lệ hội', 30, { fee: false })] },
      { field: 'Văn thư và lưu trữ', objects: [A('Chứng chỉ hành nghề lưu trữ', 15)] },
    ],
  },
  {
    code: 'H99.16', name: 'Sở Tư pháp', short: 'Sở Tư pháp', kind: 'so', parent: PROVINCE_CODE, weight: 2.2, lateFactor: 0.9,
    fields: [
      { field: 'Lý lịch tư pháp', objects: [S('Cấp Phiếu lý lịch tư pháp cho công dân Việt Nam, người nước ngoài đang cư trú tại Việt Nam', 10, { pop: 5, fee: true }), S('Cấp Phiếu lý lịch tư pháp cho cơ quan tiến hành tố tụng', 10, { fee: false })] },
      { field: 'Công chứng', objects: [A('Thẻ công chứng viên', 10), S('Cho phép thành lập Văn phòng công chứng', 20)] },
      { field: 'Luật sư', objects: [A('Giấy đăng ký hoạt động của tổ chức hành nghề luật sư', 10)] },
      { field: 'Quốc tịch', objects: [S('Cấp Giấy xác nhận có quốc tịch Việt Nam ở trong nước', 20), S('Xin thôi quốc tịch Việt Nam ở trong nước', 20)] },
      { field: 'Đấu giá tài sản', objects: [A('Giấy đăng ký hoạt động của doanh nghiệp đấu giá tài sản', 7)] },
    ],
  },
  {
    code: 'H99.17', name: 'Ban Quản lý các khu công nghiệp', short: 'BQL các KCN', kind: 'ban', parent: PROVINCE_CODE, weight: 0.6, lateFactor: 0.6,
    fields: [
      { field: 'Đầu tư tại Việt Nam', objects: [A('Giấy chứng nhận đăng ký đầu tư đối với dự án trong khu công nghiệp', 15)] },
      { field: 'Lao động', objects: [A('Giấy phép lao động cho người nước ngoài làm việc trong khu công nghiệp', 5, { pop: 1.5 }), S('Đăng ký nội quy lao động của doanh nghiệp trong khu công nghiệp', 7, { fee: false })] },
      { field: 'Quy hoạch xây dựng', objects: [A('Giấy phép xây dựng công trình trong khu công nghiệp', 20)] },
      { field: 'Thương mại quốc tế', objects: [A('Giấy phép thành lập văn phòng đại diện của thương nhân nước ngoài tại khu công nghiệp', 7)] },
    ],
  },
  {
    code: 'H99.18', name: 'Thanh tra tỉnh', short: 'Thanh tra tỉnh', kind: 'thanh_tra', parent: PROVINCE_CODE, weight: 0.12, lateFactor: 2,
    fields: [
      { field: 'Giải quyết khiếu nại', objects: [S('Giải quyết khiếu nại lần đầu tại cấp tỉnh', 30, { fee: false }), S('Giải quyết khiếu nại lần hai tại cấp tỉnh', 45, { fee: false })] },
      { field: 'Giải quyết tố cáo', objects: [S('Giải quyết tố cáo tại cấp tỉnh', 30, { fee: false })] },
      { field: 'Tiếp công dân', objects: [S('Thủ tục tiếp công dân tại cấp tỉnh', 0, { fee: false, pop: 1.5 })] },
      { field: 'Phòng, chống tham nhũng', objects: [S('Xác minh tài sản, thu nhập', 45, { fee: false })] },
    ],
  },
  {
    code: 'H99.07.01', name: 'Chi cục Trồng trọt và Bảo vệ thực vật', short: 'Chi cục TT&BVTV', kind: 'chi_cuc', parent: 'H99.07', weight: 0.4, lateFactor: 0.7,
    fields: [
      { field: 'Bảo vệ thực vật', objects: [
        A('Giấy chứng nhận đủ điều kiện buôn bán thuốc bảo vệ thực vật', 20, { pop: 1.5 }),
        S('Kiểm tra nhà nước về chất lượng phân bón nhập khẩu', 1, { nsw: true, pop: 1.5, fee: true }),
        S('Kiểm dịch thực vật đối với lô vật thể vận chuyển từ vùng nhiễm đối tượng kiểm dịch', 1, { fee: true }),
      ] },
      { field: 'Trồng trọt', objects: [A('Giấy chứng nhận đủ điều kiện buôn bán phân bón', 20), S('Công nhận cây đầu dòng, vườn cây đầu dòng', 30)] },
    ],
  },
  // Units created by NĐ 45/2025/NĐ-CP from 01/3/2025 (new codes; the predecessors point at them).
  { code: 'H99.21', name: 'Sở Khoa học và Công nghệ', short: 'Sở KH&CN', kind: 'so', parent: PROVINCE_CODE, validFrom: MERGER_DATE, weight: 0, lateFactor: 0.6, fields: [] },
  { code: 'H99.22', name: 'Sở Tài chính', short: 'Sở Tài chính', kind: 'so', parent: PROVINCE_CODE, validFrom: MERGER_DATE, weight: 0, lateFactor: 0.8, fields: [] },
  { code: 'H99.23', name: 'Sở Xây dựng', short: 'Sở Xây dựng', kind: 'so', parent: PROVINCE_CODE, validFrom: MERGER_DATE, weight: 0, lateFactor: 1.2, fields: [] },
  { code: 'H99.24', name: 'Sở Nông nghiệp và Môi trường', short: 'Sở NN&MT', kind: 'so', parent: PROVINCE_CODE, validFrom: MERGER_DATE, weight: 0, lateFactor: 1.4, fields: [] },
];

/** An agency with what the generator needs beside the registry row. */
export interface GenAgency {
  index: number;
  row: Agency;
  band: Band;
  validFromDay: number;
  /** Last valid day (inclusive); +Infinity while the unit exists. */
  validToDay: number;
  successorIndex: number;
  lateFactor: number;
  /** Receives dossiers (and appears in Biểu 06 / 766): every unit except the UBND tỉnh row. */
  reports: boolean;
}

export interface GenProcedure {
  index: number;
  row: Procedure;
  agencyIndex: number;
  /** Relative dossier volume. */
  weight: number;
}

export interface Registry {
  agencies: GenAgency[];
  procedures: GenProcedure[];
  byCode: Map<string, GenAgency>;
  /** The unit holding agency `index`'s dossiers on `day` (follows successor_code after valid_to). */
  holderOf(index: number, day: number): number;
}

const isoToDay = (iso: string): number => {
  const [y, m, d] = iso.split('-').map(Number);
  return dayOf(y ?? 1970, m ?? 1, d ?? 1);
};

const ACTIONS: { prefix: string; factor: number; keep: number; pop: number }[] = [
  { prefix: 'Cấp', factor: 1, keep: 1, pop: 1 },
  { prefix: 'Cấp lại', factor: 0.6, keep: 0.85, pop: 0.35 },
  { prefix: 'Điều chỉnh', factor: 0.7, keep: 0.75, pop: 0.25 },
  { prefix: 'Gia hạn', factor: 0.5, keep: 0.6, pop: 0.2 },
  { prefix: 'Cấp đổi', factor: 0.5, keep: 0.45, pop: 0.15 },
  { prefix: 'Thu hồi', factor: 0.5, keep: 0.4, pop: 0.05 },
];

/** Scope-qualified copies of some objects so the catalogue reaches ≈ 500 procedures. */
const SCOPES = ['', ' (trường hợp có yếu tố nước ngoài)'];

/** The share of dossiers that go through the NSW (assumption: ≈ 3 %). */
export const NSW_SHARE = 0.03;

export function buildRegistry(seed: number): Registry {
  const rng = rngFor(seed, 'registry');
  const province: Agency = {
    agency_code: PROVINCE_CODE,
    name: `UBND ${PROVINCE_NAME}`,
    short_name: 'UBND tỉnh',
    kind: 'ubnd_tinh',
    parent_code: null,
    province_code: PROVINCE_CODE,
    valid_from: REGISTRY_START,
    valid_to: null,
    successor_code: null,
  };
  const agencies: GenAgency[] = [];
  const push = (row: Agency, lateFactor: number, reports: boolean): void => {
    agencies.push({
      index: agencies.length,
      row,
      band: row.kind === 'chi_cuc' ? 'Chi cục' : 'Sở, ban, ngành',
      validFromDay: isoToDay(row.valid_from),
      validToDay: row.valid_to === null ? Number.POSITIVE_INFINITY : isoToDay(row.valid_to),
      successorIndex: -1,
      lateFactor,
      reports,
    });
  };
  push(province, 1, false);
  const sorted = [...AGENCY_DEFS].sort((a, b) => a.code.localeCompare(b.code));
  for (const def of sorted) {
    push(
      {
        agency_code: def.code,
        name: def.name,
        short_name: def.short,
        kind: def.kind,
        parent_code: def.parent,
        province_code: PROVINCE_CODE,
        valid_from: def.validFrom ?? REGISTRY_START,
        valid_to: def.validTo ?? null,
        successor_code: def.successor ?? null,
      },
      def.lateFactor,
      true,
    );
  }
  const byCode = new Map(agencies.map((a) => [a.row.agency_code, a]));
  for (const a of agencies) {
    if (a.row.successor_code) {
      const s = byCode.get(a.row.successor_code);
      if (!s) throw new Error(`[pipeline] [generator] Failed to build registry: unknown successor ${a.row.successor_code}`);
      a.successorIndex = s.index;
    }
  }

  const procedures = buildProcedures(rng, sorted, byCode);
  const holderOf = (index: number, day: number): number => {
    let i = index;
    for (let guard = 0; guard < 10; guard++) {
      const a = agencies[i];
      if (!a || day <= a.validToDay || a.successorIndex < 0) return i;
      i = a.successorIndex;
    }
    return i;
  };
  return { agencies, procedures, byCode, holderOf };
}

function buildProcedures(rng: Rng, defs: AgencyDef[], byCode: Map<string, GenAgency>): GenProcedure[] {
  const out: GenProcedure[] = [];
  const usedCodes = new Set<string>();
  const newCode = (): string => {
    for (;;) {
      const prefix = rng.chance(0.85) ? '1' : '2';
      const code = `${prefix}.${String(rng.int(100, 13_999)).padStart(6, '0')}`;
      if (!usedCodes.has(code)) {
        usedCodes.add(code);
        return code;
      }
    }
  };
  for (const def of defs) {
    const agency = byCode.get(def.code);
    if (!agency) continue;
    for (const f of def.fields) {
      for (const o of f.objects) {
        const scopes = o.actions ? SCOPES : [''];
        for (const [si, scope] of scopes.entries()) {
          if (si > 0 && !rng.chance(0.6)) continue;
          const variants = o.actions ? ACTIONS.filter((a) => a.keep >= 1 || rng.chance(a.keep)) : [{ prefix: '', factor: 1, keep: 1, pop: 1 }];
          for (const v of variants) {
            const name = v.prefix ? `${v.prefix} ${o.name}${scope}` : `${o.name}${scope}`;
            const statutory = o.days === 0 ? 0 : Math.max(1, Math.round(o.days * v.factor));
            const cut = rng.chance(0.55) ? 0 : rng.int(1, Math.max(1, Math.ceil(statutory * 0.3)));
            const nsw = o.nsw === true;
            const online: Procedure['online_level'] = nsw
              ? 'toan_trinh'
              : def.kind === 'thanh_tra'
                ? 'khong'
                : (() => {
                    const u = rng.next();
                    return u < 0.36 ? 'toan_trinh' : u < 0.82 ? 'mot_phan' : 'khong';
                  })();
            const fee = nsw ? true : (o.fee ?? rng.chance(0.55));
            const popularity = (o.pop ?? 1) * v.pop * (si === 0 ? 1 : 0.15) * (0.4 + rng.next() * 1.2);
            out.push({
              index: out.length,
              agencyIndex: agency.index,
              weight: def.weight * popularity,
              row: {
                procedure_code: newCode(),
                name,
                field: f.field,
                agency_code: def.code,
                online_level: online,
                is_fee_bearing: fee,
                is_nsw: nsw,
                statutory_days: statutory,
                original_statutory_days: statutory + cut,
              },
            });
          }
        }
      }
    }
  }
  // Scale NSW procedures so they carry NSW_SHARE of the volume.
  const nswTotal = out.filter((p) => p.row.is_nsw).reduce((s, p) => s + p.weight, 0);
  const otherTotal = out.filter((p) => !p.row.is_nsw).reduce((s, p) => s + p.weight, 0);
  if (nswTotal > 0) {
    const k = ((NSW_SHARE / (1 - NSW_SHARE)) * otherTotal) / nswTotal;
    for (const p of out) if (p.row.is_nsw) p.weight *= k;
  }
  return out;
}

const csvBool = (b: boolean): string => (b ? 'true' : 'false');

export function agenciesCsv(reg: Registry): string {
  let s = BOM + csvLine(AGENCY_HEADER);
  for (const { row } of reg.agencies) {
    s += csvLine([row.agency_code, row.name, row.short_name, row.kind, row.parent_code ?? '', row.province_code, row.valid_from, row.valid_to ?? '', row.successor_code ?? '']);
  }
  return s;
}

export function proceduresCsv(reg: Registry): string {
  let s = BOM + csvLine(PROCEDURE_HEADER);
  for (const { row } of reg.procedures) {
    s += csvLine([
      row.procedure_code,
      row.name,
      row.field,
      row.agency_code,
      row.online_level,
      csvBool(row.is_fee_bearing),
      csvBool(row.is_nsw),
      String(row.statutory_days),
      String(row.original_statutory_days),
    ]);
  }
  return s;
}
