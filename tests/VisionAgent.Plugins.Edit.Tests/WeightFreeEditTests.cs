using System.Reflection;
using Microsoft.SemanticKernel;
using VisionAgent.Abstractions;
using VisionAgent.Imaging;
using VisionAgent.Imaging.Masks;
using VisionAgent.Onnx;
using VisionAgent.Testing;

namespace VisionAgent.Plugins.Edit.Tests;

public sealed class WeightFreeEditTests : IDisposable
{
    // The cat's head in chelsea.png (451x300).
    private static readonly PixelBox Subject = new(140, 20, 320, 220);
    private readonly TestExpertHost _host = new();
    private readonly string _cat;

    public WeightFreeEditTests()
    {
        _host.AddService(new OnnxSessionPool());
        _cat = _host.Images.AddInput(RepositoryPaths.SampleImage("chelsea.png")).Handle;
    }

    [Fact]
    public async Task Blur_changes_only_background_pixels()
    {
        var plugin = EditTestSupport.CreatePlugin(_host);

        var result = await plugin.BackgroundAsync(_cat, mask: "140,20,320,220", mode: "blur");

        var input = EditTestSupport.Pixels(_host.Images.Get(_cat).Path);
        var output = EditTestSupport.Pixels(result.Images[0].Path);
        int changedOutside = 0, outside = 0;
        for (var y = 0; y < 300; y++)
        {
            for (var x = 0; x < 451; x++)
            {
                var i = (y * 451) + x;
                if (x is >= 140 and < 320 && y is >= 20 and < 220) Assert.Equal(input[i], output[i]);
                else
                {
                    outside++;
                    if (input[i] != output[i]) changedOutside++;
                }
            }
        }
        Assert.True(changedOutside > outside * 0.8, $"{changedOutside} of {outside} background pixels changed");
        Assert.Equal("edit.background", result.Images[0].Operation);
        Assert.Equal("blur", result.Images[0].Parameters["mode"]);
        Assert.Equal("edit", result.Images[0].Kind);
        Assert.Equal(_cat, result.Images[0].Parent);
    }

    [Fact]
    public async Task Remove_makes_the_background_transparent_and_keeps_the_subject()
    {
        var plugin = EditTestSupport.CreatePlugin(_host);

        var result = await plugin.BackgroundAsync(_cat, mask: "140,20,320,220", mode: "remove");

        var input = EditTestSupport.Pixels(_host.Images.Get(_cat).Path);
        var output = EditTestSupport.Pixels(result.Images[0].Path);
        Assert.Equal(0, output[(5 * 451) + 5].A);
        Assert.Equal(0, output[(250 * 451) + 400].A);
        Assert.Equal(input[(100 * 451) + 200], output[(100 * 451) + 200]);
        Assert.Equal(255, output[(100 * 451) + 200].A);
        Assert.Contains("transparent", result.Observation);
    }

    [Fact]
    public async Task Without_a_mask_the_registered_segmenter_provides_one()
    {
        var provider = new EditTestSupport.BoxMaskProvider(_host.Images, Subject);
        _host.AddService<IMaskProvider>(provider);
        var plugin = EditTestSupport.CreatePlugin(_host);

        var result = await plugin.BackgroundAsync(_cat, mode: "color", color: "#ff0000");

        Assert.Equal(1, provider.Calls);
        var output = EditTestSupport.Pixels(result.Images[0].Path);
        Assert.Equal(new SixLabors.ImageSharp.PixelFormats.Rgba32(255, 0, 0, 255), output[(5 * 451) + 5]);
        Assert.Equal(EditTestSupport.Pixels(_host.Images.Get(_cat).Path)[(100 * 451) + 200], output[(100 * 451) + 200]);
        Assert.Contains("salient object by segment", result.Images[0].Parameters["mask"]);
    }

    [Fact]
    public async Task Without_a_mask_or_a_segmenter_the_error_says_what_is_needed()
    {
        var plugin = EditTestSupport.CreatePlugin(_host);

        var error = await Assert.ThrowsAsync<BadInputException>(() => plugin.BackgroundAsync(_cat, mode: "blur"));

        Assert.Contains("needs a mask", error.Message);
        Assert.Contains("segment", error.Message);
    }

    [Fact]
    public async Task A_mask_image_from_segment_and_a_detection_reference_both_select_pixels()
    {
        var maskPath = _host.Images.NewOutputPath(_cat, "mask");
        MaskFiles.SaveMask(BinaryMask.FromBox(451, 300, Subject), maskPath);
        var maskHandle = _host.Images.AddProduced(maskPath, _cat, "segment", "mask").Handle;

        await AssertSelectsLikeTheSubjectDetection(maskHandle);
    }

    [Fact]
    public async Task A_cutout_handle_as_the_mask_selects_by_transparency()
    {
        var cutoutPath = _host.Images.NewOutputPath(_cat, "cutout");
        using (var cat = new ImageLoader().LoadRgb(_host.Images.Get(_cat).Path))
            MaskFiles.SaveCutout(cat, BinaryMask.FromBox(451, 300, Subject), cutoutPath);
        var cutout = EditTestSupport.Pixels(cutoutPath);
        // Dark opaque fur would be dropped by a reader that went by luminance.
        Assert.Contains(cutout, p => p.A == 255 && ((p.R * 299) + (p.G * 587) + (p.B * 114)) / 1000 < 128);
        var cutoutHandle = _host.Images.AddProduced(cutoutPath, _cat, "segment", "cutout").Handle;

        await AssertSelectsLikeTheSubjectDetection(cutoutHandle);
    }

    [Fact]
    public async Task Background_image_mode_fills_the_background_from_another_image()
    {
        var other = _host.Images.AddInput(RepositoryPaths.SampleImage("coffee.png")).Handle;
        var plugin = EditTestSupport.CreatePlugin(_host);

        var result = await plugin.BackgroundAsync(_cat, mask: "140,20,320,220", mode: "image", background_image: other);

        var input = EditTestSupport.Pixels(_host.Images.Get(_cat).Path);
        var output = EditTestSupport.Pixels(result.Images[0].Path);
        Assert.NotEqual(input[(5 * 451) + 5], output[(5 * 451) + 5]);
        Assert.Equal(input[(100 * 451) + 200], output[(100 * 451) + 200]);
        Assert.Equal(other, result.Images[0].Parameters["background_image"]);
    }

    [Fact]
    public async Task Crop_resize_and_rotate_give_the_expected_sizes()
    {
        var plugin = EditTestSupport.CreatePlugin(_host);

        var crop = await plugin.CropAsync(_cat, "10,20,110,70");
        var resize = await plugin.ResizeAsync(_cat, width: 200);
        var scaled = await plugin.ResizeAsync(_cat, scale: 0.5f);
        var rotate = await plugin.RotateAsync(_cat, 90);
        var tilted = await plugin.RotateAsync(_cat, 45);

        Assert.Equal((100, 50), EditTestSupport.Size(crop.Images[0].Path));
        Assert.Equal((200, 133), (resize.Images[0].Width, resize.Images[0].Height));
        Assert.Equal((226, 150), (scaled.Images[0].Width, scaled.Images[0].Height));
        Assert.Equal((300, 451), (rotate.Images[0].Width, rotate.Images[0].Height));
        Assert.True(tilted.Images[0].Width > 451 && tilted.Images[0].Height > 300);
        var input = EditTestSupport.Pixels(_host.Images.Get(_cat).Path);
        Assert.Equal(input[(20 * 451) + 10], EditTestSupport.Pixels(crop.Images[0].Path)[0]);
        // A clockwise quarter turn moves the top-left pixel to the top-right corner.
        Assert.Equal(input[0], EditTestSupport.Pixels(rotate.Images[0].Path)[299]);
    }

    [Fact]
    public async Task A_strip_wider_than_the_default_limit_is_edited_when_the_hosts_limits_allow_it()
    {
        using var host = new TestExpertHost(WideStrip.Limits).AddService(new OnnxSessionPool());
        var strip = host.Images.AddInput(WideStrip.Write(host.PathFor("strip.png"))).Handle;
        var plugin = EditTestSupport.CreatePlugin(host);

        var crop = await plugin.CropAsync(strip, "19900,0,20000,60");
        var adjusted = await plugin.AdjustAsync(strip, brightness: 1.1f);

        Assert.Equal((100, 60), EditTestSupport.Size(crop.Images[0].Path));
        Assert.Equal((WideStrip.Width, WideStrip.Height), (adjusted.Images[0].Width, adjusted.Images[0].Height));
    }

    [Fact]
    public async Task A_portrait_phone_photo_is_resized_and_cropped_in_its_displayed_frame()
    {
        // Stored 80x40 with EXIF orientation 6 (turn clockwise): shown 40x80, as phones write portrait photos.
        var path = _host.PathFor("portrait.jpg");
        using (var stored = new SixLabors.ImageSharp.Image<SixLabors.ImageSharp.PixelFormats.Rgb24>(80, 40))
        {
            stored.Metadata.ExifProfile = new SixLabors.ImageSharp.Metadata.Profiles.Exif.ExifProfile();
            stored.Metadata.ExifProfile.SetValue(SixLabors.ImageSharp.Metadata.Profiles.Exif.ExifTag.Orientation, (ushort)6);
            SixLabors.ImageSharp.ImageExtensions.SaveAsJpeg(stored, path);
        }
        var portrait = _host.Images.AddInput(path);
        var plugin = EditTestSupport.CreatePlugin(_host);

        var same = await plugin.ResizeAsync(portrait.Handle, scale: 1f);
        var bottom = await plugin.CropAsync(portrait.Handle, "0,60,40,80");

        Assert.Equal((40, 80), (portrait.Width, portrait.Height));
        Assert.Equal((40, 80), EditTestSupport.Size(same.Images[0].Path));
        Assert.Equal((40, 20), EditTestSupport.Size(bottom.Images[0].Path));
    }

    [Fact]
    public async Task Crop_accepts_a_detection_as_the_image()
    {
        var detection = _host.Images.AddRegion(_cat, "cat", 0.9f, Subject).Reference;
        var plugin = EditTestSupport.CreatePlugin(_host);

        var crop = await plugin.CropAsync(detection);

        Assert.Equal((180, 200), (crop.Images[0].Width, crop.Images[0].Height));
    }

    [Fact]
    public async Task Adjust_brightness_and_saturation_move_the_pixels_the_right_way()
    {
        var plugin = EditTestSupport.CreatePlugin(_host);

        var brighter = await plugin.AdjustAsync(_cat, brightness: 1.4f);
        var grey = await plugin.AdjustAsync(_cat, saturation: 0f);

        var input = EditTestSupport.Pixels(_host.Images.Get(_cat).Path);
        Assert.True(EditTestSupport.Pixels(brighter.Images[0].Path).Average(p => p.R + p.G + p.B) > input.Average(p => p.R + p.G + p.B) * 1.2);
        Assert.All(EditTestSupport.Pixels(grey.Images[0].Path).Take(2000), p => Assert.InRange(Math.Abs(p.R - p.G) + Math.Abs(p.G - p.B), 0, 2));
        Assert.Equal("1.4", brighter.Images[0].Parameters["brightness"]);
    }

    [Fact]
    public async Task Remove_without_diffusion_models_fills_from_the_surroundings()
    {
        var path = _host.PathFor("square.png");
        using (var image = new SixLabors.ImageSharp.Image<SixLabors.ImageSharp.PixelFormats.Rgb24>(64, 48, new SixLabors.ImageSharp.PixelFormats.Rgb24(30, 160, 90)))
        {
            for (var y = 20; y < 30; y++)
                for (var x = 25; x < 40; x++) image[x, y] = new SixLabors.ImageSharp.PixelFormats.Rgb24(250, 250, 250);
            SixLabors.ImageSharp.ImageExtensions.SaveAsPng(image, path);
        }
        var handle = _host.Images.AddInput(path).Handle;
        var plugin = EditTestSupport.CreatePlugin(_host, new Dictionary<string, string> { ["remove_grow_px"] = "1" });

        var result = await plugin.RemoveAsync(handle, "25,20,40,30");

        var output = EditTestSupport.Pixels(result.Images[0].Path);
        Assert.All(output, p => Assert.Equal((30, 160, 90), (p.R, p.G, p.B)));
        Assert.Contains("non-generative fill", result.Observation);
        Assert.Equal("fill", result.Images[0].Parameters["method"]);
    }

    [Fact]
    public async Task Fill_leaves_unmasked_pixels_byte_identical()
    {
        var plugin = EditTestSupport.CreatePlugin(_host);

        var result = await plugin.RemoveAsync(_cat, "200,100,260,160");

        var input = EditTestSupport.Pixels(_host.Images.Get(_cat).Path);
        var output = EditTestSupport.Pixels(result.Images[0].Path);
        for (var y = 0; y < 300; y++)
        {
            for (var x = 0; x < 451; x++)
            {
                if (x is >= 196 and < 264 && y is >= 96 and < 164) continue;
                Assert.Equal(input[(y * 451) + x], output[(y * 451) + x]);
            }
        }
    }

    [Fact]
    public async Task Removing_the_whole_image_is_bad_input()
    {
        var plugin = EditTestSupport.CreatePlugin(_host);

        var error = await Assert.ThrowsAsync<BadInputException>(() => plugin.RemoveAsync(_cat, "0,0,451,300"));

        Assert.Contains("nothing left", error.Message);
    }

    [Theory]
    [InlineData("mode", "sparkle")]
    [InlineData("color", "notacolour")]
    [InlineData("mask", "img99")]
    public async Task Bad_arguments_are_bad_input(string argument, string value)
    {
        var plugin = EditTestSupport.CreatePlugin(_host);

        await Assert.ThrowsAnyAsync<BadInputException>(() => argument switch
        {
            "mode" => plugin.BackgroundAsync(_cat, "0,0,10,10", mode: value),
            "color" => plugin.BackgroundAsync(_cat, "0,0,10,10", mode: "color", color: value),
            _ => plugin.BackgroundAsync(_cat, value),
        });
    }

    [Fact]
    public void Manifest_lists_the_diffusion_models_and_functions_match_the_routing()
    {
        var manifest = EditTestSupport.Manifest;
        var functions = typeof(EditPlugin).GetMethods()
            .Select(m => m.GetCustomAttribute<KernelFunctionAttribute>()?.Name)
            .OfType<string>()
            .ToHashSet();

        Assert.Equal("edit", manifest.Name);
        Assert.Equal(["background", "crop", "resize", "rotate", "adjust", "inpaint", "remove"], functions.ToArray());
        Assert.All(manifest.Routing, r => Assert.Contains(r.Function!, functions));
        foreach (var name in EditPlugin.DiffusionModels)
        {
            var model = manifest.FindModel(name)!;
            Assert.Equal("sd-inpaint", model.Group);
            Assert.False(model.Required);
            Assert.False(model.AutoFetch);
            // No maintained ONNX export is known (the former one was removed): the user gives the files' paths.
            Assert.Empty(model.Sources);
            Assert.Equal(["inpaint"], model.NeededBy);
        }
    }

    /// <summary>Removing the background with <paramref name="maskHandle"/> as the mask gives the pixels a detection of <see cref="Subject"/> gives.</summary>
    private async Task AssertSelectsLikeTheSubjectDetection(string maskHandle)
    {
        var detection = _host.Images.AddRegion(_cat, "cat", 0.9f, Subject).Reference;
        var plugin = EditTestSupport.CreatePlugin(_host);

        var fromMask = await plugin.BackgroundAsync(_cat, mask: maskHandle, mode: "remove");
        var fromDetection = await plugin.BackgroundAsync(detection, mode: "remove");

        Assert.Equal(EditTestSupport.Pixels(fromMask.Images[0].Path), EditTestSupport.Pixels(fromDetection.Images[0].Path));
        Assert.Equal(detection, fromDetection.Images[0].Parameters["mask"]);
        Assert.Equal(maskHandle, fromMask.Images[0].Parameters["mask"]);
    }

    public void Dispose() => _host.Dispose();
}
